"""REST routes (placeholder until the slice lands)."""

from fastapi import APIRouter

router = APIRouter()
