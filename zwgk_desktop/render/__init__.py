"""From items and standard formats to what people read: board sheets, PDF posters, QR codes."""
