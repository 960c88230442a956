"""The platform-neutral bot: requests, replies, the command parser and the router."""
