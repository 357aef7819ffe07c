"""Personal reminders: "remind me 10 minutes before this talk", kept in the state database,
moved with the talk when the schedule moves it, and sent once by direct message.

Platform-neutral: an adapter offers a :class:`~bot.reminders.delivery.DirectSender`.
"""
