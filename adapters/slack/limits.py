"""Slack's Block Kit limits (reference/chat-platforms.md and the Block Kit reference), in one place."""

MESSAGE_BLOCKS = 50  # blocks in a message
SURFACE_BLOCKS = 100  # blocks in a modal or the App Home tab
SECTION_TEXT = 3000  # characters of a section's text
SECTION_FIELDS = 10  # fields in one section
FIELD_TEXT = 2000  # characters of one field
HEADER_TEXT = 150  # characters of a header
CONTEXT_ELEMENTS = 10  # elements in one context block
CONTEXT_TEXT = 3000  # characters of one context text element
ACTIONS_ELEMENTS = 25  # elements in one actions block
BUTTON_TEXT = 75  # characters of a button label
BUTTON_VALUE = 2000  # characters of a button value
ACTION_ID = 255  # characters of an action_id or block_id
IMAGE_URL = 3000
ALT_TEXT = 2000
TABLE_ROWS = 100  # rows of a table block, the header row included
TABLE_CELLS = 20  # cells in one table row
TABLE_CELL_TEXT = 500  # our own cap on one cell (keeps wide statement text readable)
FALLBACK_TEXT = 3000  # our cap on the notification `text`; Slack truncates long ones anyway
