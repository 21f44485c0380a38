"""Working days, deadlines and meeting schedules: pure functions over UK bank holidays."""
