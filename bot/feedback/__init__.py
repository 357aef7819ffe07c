"""The organizers' loop: what was asked, how people voted, and the report of what the notes
miss (no platform code here)."""
