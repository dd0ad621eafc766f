# Placeholder for the game API (FastAPI in the reference user's repository).
from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.get("/api/scores")
def scores() -> list:
    return []
