"""Placeholder: this domain's routes are added by its issue."""

from fastapi import APIRouter

router = APIRouter()
