"""Communication: conversations, messages, receipts, announcements, notifications, policy."""
