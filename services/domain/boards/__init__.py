"""Boards and meetings: the bodies that decide, their calendar, agendas, attendance and minutes."""
