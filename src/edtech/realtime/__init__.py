"""The realtime hub: websocket protocol, channels, durable offsets, recovery and fan-out."""
