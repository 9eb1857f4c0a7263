"""Training pages: catalogue, sessions, bookings, absence, team and initiative costing, calendars."""
