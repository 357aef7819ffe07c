"""The Discord adapter: slash commands, mentions and admin reload over discord.py.

It only translates: interactions and messages into ``SummitService`` calls, and command
results into Discord messages within Discord's limits. No answering logic lives here.
"""
