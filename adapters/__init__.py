"""Chat platform adapters: each turns platform events into a Request and renders a Reply.

One thin module (or package) per platform, in the manner of slack-bolt's adapters. Adapters never run SQL.
"""
