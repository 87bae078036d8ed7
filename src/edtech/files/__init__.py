"""Files and documents: object storage, attachments, PDFs and the student record package."""
