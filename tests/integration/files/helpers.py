"""Helpers of the files tests: a PDF's text, draining the job queue, minimal valid files."""

from __future__ import annotations

import io

import httpx
from fastapi import FastAPI
from pypdf import PdfReader

from edtech.platform.jobs import JobRunner

# The smallest files whose first bytes say what they are.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%doctor's note\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64


def pdf_text(data: bytes) -> str:
    """The text of every page, as a PDF library extracts it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def run_jobs(app: FastAPI) -> int:
    """Run every due job on this node until none is left; how many ran."""
    runner = app.state.services.components.get(JobRunner)
    total = 0
    while ran := await runner.run_once():
        total += ran
    return total


async def download(
    client: httpx.AsyncClient, file: dict[str, object], headers: dict[str, str]
) -> httpx.Response:
    """Fetch a file's bytes as a browser would: follow the S3 redirect (without our token)."""
    r = await client.get(str(file["download"]), headers=headers)
    if r.status_code == 307:
        async with httpx.AsyncClient(timeout=30) as outside:
            return await outside.get(r.headers["location"])
    return r
