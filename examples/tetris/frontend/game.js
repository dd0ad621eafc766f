// Placeholder for the game client; scores go to the backend API at /api/scores.
fetch("/api/scores").then((r) => r.json()).then((scores) => console.log("scores", scores));
