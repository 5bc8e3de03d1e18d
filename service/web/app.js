// fakeguard's web page: send one file to /score and draw the report it answers.
// Plain script with no framework or build step: the page must work where nothing but this server loads.
// Everything taken from a report or a file name is inserted as text (textContent), never as markup.
"use strict";

// Where scores turn into verdicts: each report carries the thresholds it was judged with
// (report.thresholds); these defaults of VerdictThresholds (detectors/report.py) serve until one arrives.
let FAKE_AT = 0.7;
let REAL_BELOW = 0.3;
// Relative to /ui/, so that the page also works when a proxy serves the service under a path prefix.
const SCORE_URL = "../score";
const KEY_STORE = "fakeguard.apiKey";

const $ = (id) => document.getElementById(id);
let chosen = null; // the File to score
let pictureUrl = null; // object URL of the picture shown, revoked when replaced
let controller = null; // aborts the request in flight
let lastReport = null; // kept to redraw the canvases when the window is resized
let timer = null;

const colour = (name) => getComputedStyle(document.body).getPropertyValue(`--${name}`).trim(); // from style.css
const fmt = (score) => (score === null || score === undefined ? "–" : score.toFixed(2));
const secs = (s) => `${Number(s).toFixed(1)} s`;
// ", matches Ann (0.97)" for a watchlist match (report identity), else nothing.
const who = (identity) => (identity ? ` · matches ${identity.person} (${identity.similarity.toFixed(2)})` : "");
const band = (score) =>
  score === null || score === undefined ? "none" : score >= FAKE_AT ? "fake" : score < REAL_BELOW ? "real" : "uncertain";

function setState(state) {
  document.body.dataset.state = state; // idle, busy, done or error: what a reader (or a test) waits for
}

// Fill a list with items, each a string or [text, band]; an empty list gets `empty` as its one item.
function fillList(list, items, empty) {
  const entries = items.length ? items : empty ? [empty] : [];
  list.replaceChildren(
    ...entries.map((item) => {
      const li = document.createElement("li");
      const [text, cls] = Array.isArray(item) ? item : [item, ""];
      li.textContent = text;
      if (cls) li.className = cls;
      return li;
    }),
  );
}

function choose(file) {
  chosen = file || null;
  const size = chosen && (chosen.size < 1e6 ? `${Math.ceil(chosen.size / 1e3)} kB` : `${(chosen.size / 1e6).toFixed(1)} MB`);
  $("file-name").textContent = chosen ? `${chosen.name} (${size})` : "No file chosen";
  $("submit").disabled = !chosen || controller !== null;
}

function busy(name) {
  clearInterval(timer);
  const on = name !== null;
  $("busy").hidden = $("cancel").hidden = !on;
  $("submit").disabled = on || !chosen;
  if (!on) return;
  setState("busy");
  // The live region says once what is going on; the seconds counting up sit outside it (aria-hidden),
  // so that a screen reader is not interrupted every second.
  const started = Date.now();
  $("busy-text").textContent = `Scoring ${name}…`;
  $("busy-time").textContent = "0 s";
  timer = setInterval(() => ($("busy-time").textContent = `${Math.round((Date.now() - started) / 1000)} s`), 1000);
}

function clearResult() {
  lastReport = null;
  const boxes = ["result", "error", "image-box", "timeline-box", "faces-box", "picture-note", "provenance-box"];
  for (const id of [...boxes, "alerts-box", "watchlist-box"]) {
    $(id).hidden = true;
  }
  for (const id of ["result", "error", "overlay", "timeline"]) {
    for (const key of Object.keys($(id).dataset)) delete $(id).dataset[key];
  }
}

async function submit(event) {
  event.preventDefault();
  if (!chosen || controller) return;
  const file = chosen;
  const form = new FormData();
  form.append("file", file, file.name);
  if ($("heatmaps").checked) form.append("heatmaps", "true");
  const key = $("api-key").value.trim();
  const headers = key ? { "X-API-Key": key } : {};
  clearResult();
  controller = new AbortController();
  busy(file.name);
  let response, text;
  try {
    // fetch has no upload progress; the upload is short next to the scoring, so a waiting state is enough.
    response = await fetch(SCORE_URL, { method: "POST", body: form, headers, signal: controller.signal });
    text = await response.text();
  } catch (err) {
    const cancelled = err.name === "AbortError";
    showError(
      cancelled ? "Cancelled" : "No answer from the service",
      cancelled
        ? "The request was cancelled."
        : "The connection failed before an answer came. The server may be down, or the file may be over its " +
            "upload limit (an upload that is too large can be cut off this way).",
      cancelled ? "" : String(err.message || err),
    );
    return;
  } finally {
    controller = null;
    busy(null);
  }
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: a proxy's or the server's own error page; its text is shown below
  }
  if (response.ok && body && body.verdict) render(body, file);
  else showHttpError(response.status, body, text);
}

const TITLES = {
  400: "The upload was not accepted",
  401: "This server needs an API key",
  413: "The file is too large",
  415: "Not a file fakeguard can read",
  422: "The file could not be decoded",
  500: "The service failed",
  503: "The models are still loading",
  504: "The service took too long",
};

function showHttpError(status, body, text) {
  let reason = (body && body.reason) || (text || "").trim().slice(0, 300) || "No reason was given.";
  if (status === 401) {
    reason = `${reason}. Enter the key under “API key” at the top, then score again.`;
    $("key-box").open = true;
  } else if (status === 503) {
    reason = `${reason}. Try again in a few seconds.`;
  } else if (status === 504) {
    reason = `${reason} Long videos are better sent to the /score_video_task endpoint.`;
  }
  const detail = [`HTTP ${status}`, body && body.error, body && body.request_id && `request id ${body.request_id}`];
  showError(TITLES[status] || `The service answered HTTP ${status}`, reason, detail.filter(Boolean).join(" · "));
  $("error").dataset.status = String(status);
  if (body && body.error) $("error").dataset.error = body.error;
  if (status === 401) $("api-key").focus();
}

function showError(title, reason, detail) {
  $("error-title").textContent = title;
  $("error-reason").textContent = reason;
  $("error-detail").textContent = detail;
  $("error").hidden = false;
  setState("error");
}

function render(report, file) {
  lastReport = report;
  if (report.thresholds) {
    ({ fake_at: FAKE_AT, real_below: REAL_BELOW } = report.thresholds);
  }
  const verdict = $("verdict");
  verdict.textContent = report.verdict;
  verdict.className = `verdict ${report.verdict}`;
  $("file-label").textContent = `${report.file} (${report.kind})`;
  for (const [id, score] of [["score", report.score], ["face-score", report.face_score], ["voice-score", report.voice_score]]) {
    $(id).textContent = fmt(score);
    $(id).className = band(score);
  }
  // Impersonation alerts lead the reasons in the report; here they have their own box, shown once.
  const alerts = (report.alerts || []).map((a) => a.message);
  fillList($("alerts"), alerts.map((text) => [text, "fake"]));
  $("alerts-box").hidden = alerts.length === 0;
  $("alerts").dataset.alerts = String(alerts.length);
  fillList($("reasons"), report.reasons.filter((r) => !alerts.includes(r)), "No reasons given.");
  showMatches(report);
  fillList($("warnings"), report.warnings.map((w) => w.message));
  $("warnings-box").hidden = report.warnings.length === 0;
  showProvenance(report);
  $("raw").textContent = JSON.stringify(report, null, 2);
  Object.assign($("result").dataset, { verdict: report.verdict, score: fmt(report.score), kind: report.kind });
  $("result").hidden = false;
  showFaceList(report);
  if (report.kind === "image") {
    showPicture(file, report); // "done" once the picture has loaded and the boxes are drawn
  } else {
    showTimeline(report);
    setState("done");
  }
}

// Who the faces and voices resemble on the server's watchlist; absent when the server has none.
function showMatches(report) {
  const checked = report.watchlist;
  $("watchlist-box").hidden = !checked;
  if (!checked) return;
  const lines = [];
  report.faces.forEach((f, i) => f.identity && lines.push(`Face ${i + 1}${who(f.identity)}`));
  for (const t of report.face_tracks) if (t.identity) lines.push(`Track ${t.track_id}${who(t.identity)}`);
  const voices = new Map(); // person -> [first start, last end, windows]
  for (const s of report.speech_segments) {
    if (!s.identity) continue;
    const span = voices.get(s.identity.person) || [s.start_s, s.end_s, 0];
    voices.set(s.identity.person, [Math.min(span[0], s.start_s), Math.max(span[1], s.end_s), span[2] + 1]);
  }
  for (const [person, [a, b, n]] of voices) lines.push(`Voice matches ${person}: ${n} window(s), ${secs(a)} to ${secs(b)}`);
  fillList($("matches"), lines, `No match among the ${checked.people} people on the watchlist.`);
  $("matches").dataset.matches = String(lines.length);
}

// How far each provenance signal can be believed (TrustLevel in detectors/provenance/types.py).
const TRUST = {
  signed_valid: "signed, trusted",
  signed_untrusted: "signed, untrusted signer",
  signed_tampered: "signed, no longer valid",
  unsigned: "unsigned",
};

// What the file declares about its origin: one line per signal, its trust level first.
function showProvenance(report) {
  const section = report.provenance;
  $("provenance-box").hidden = !section;
  if (!section) return;
  $("provenance-summary").textContent = section.summary;
  const lines = section.signals.map((s) => [
    `${TRUST[s.trust] || s.trust} · ${s.value} (${s.kind.replace(/_/g, " ")}, ${s.source})${s.detail ? ` — ${s.detail}` : ""}`,
    `trust-${s.trust}`,
  ]);
  fillList($("provenance"), lines);
  $("provenance").dataset.signals = String(section.signals.length);
}

// The picture comes from the local File, not from the server: nothing but the report travels back.
function showPicture(file, report) {
  const img = $("picture");
  if (pictureUrl) URL.revokeObjectURL(pictureUrl);
  pictureUrl = URL.createObjectURL(file);
  $("image-box").hidden = false;
  img.onload = () => {
    drawFaces(report);
    setState("done");
  };
  img.onerror = () => {
    $("overlay").dataset.faces = "0";
    $("picture-note").textContent = "This browser cannot show this image format; the face scores are listed below.";
    $("picture-note").hidden = false;
    setState("done");
  };
  img.src = pictureUrl;
}

// A canvas sized to the picture as shown, in device pixels so that lines stay sharp.
function prepareCanvas(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

function drawFaces(report) {
  const img = $("picture");
  const canvas = $("overlay");
  // Boxes are in pixels of the upright image (the browser turns a JPEG by its EXIF tag as the server does);
  // the picture is shown scaled to fit the page, so every coordinate is scaled by the same factor.
  const scale = img.clientWidth / img.naturalWidth;
  const ctx = prepareCanvas(canvas, img.clientWidth, img.clientHeight);
  ctx.lineWidth = 3;
  ctx.font = "bold 13px system-ui, sans-serif";
  ctx.textBaseline = "top";
  report.faces.forEach((face, i) => {
    const x = face.box.x0 * scale;
    const y = face.box.y0 * scale;
    const w = (face.box.x1 - face.box.x0) * scale;
    const h = (face.box.y1 - face.box.y0) * scale;
    ctx.strokeStyle = ctx.fillStyle = colour(band(face.score));
    ctx.strokeRect(x, y, w, h);
    const label = `${i + 1}: ${fmt(face.score)}`;
    const top = y >= 18 ? y - 18 : y + h; // above the box, or below it when the box touches the top edge
    ctx.fillRect(x - 1.5, top, ctx.measureText(label).width + 8, 18);
    ctx.fillStyle = "#fff";
    ctx.fillText(label, x + 2.5, top + 3);
  });
  canvas.dataset.faces = String(report.faces.length);
  canvas.dataset.scale = scale.toFixed(4);
  canvas.setAttribute("aria-label", `${report.faces.length} face box(es) drawn on the picture`);
}

// Faces as text (and their heatmaps): every face of an image; for a video only the faces with a heatmap,
// since the sampled faces of a long clip are many and the tracks already sum them up.
function showFaceList(report) {
  const faces = report.kind === "image" ? report.faces : report.faces.filter((f) => f.heatmap_png);
  const items = faces.map((face, i) => {
    const li = document.createElement("li");
    li.className = band(face.score);
    if (face.heatmap_png) {
      const thumb = document.createElement("img");
      thumb.src = `data:image/png;base64,${face.heatmap_png}`;
      thumb.alt = `Heatmap of face ${i + 1}`;
      li.append(thumb);
    }
    const caption = document.createElement("span");
    const where = face.time_s === null ? `face ${i + 1}` : `track ${face.track_id} at ${secs(face.time_s)}`;
    caption.textContent = `${where}: ${fmt(face.score)}${who(face.identity)}`;
    li.append(caption);
    return li;
  });
  $("faces").replaceChildren(...items);
  $("faces-box").hidden = items.length === 0;
}

function showTimeline(report) {
  $("timeline-box").hidden = false;
  drawTimeline(report.timeline);
  $("tracks-box").hidden = report.kind !== "video";
  const tracks = report.face_tracks.map((t) => [
    `Track ${t.track_id}: ${secs(t.start_s)} to ${secs(t.end_s)}, score ${fmt(t.score)}${who(t.identity)}`,
    band(t.score),
  ]);
  fillList($("tracks"), tracks, "No face was found.");
  const scored = report.speech_segments.filter((s) => s.speech && s.score !== null);
  const flagged = scored.filter((s) => s.score >= FAKE_AT);
  $("segments-summary").textContent = scored.length
    ? `${flagged.length} of ${scored.length} speech windows scored ${FAKE_AT} or more.`
    : "No speech was found.";
  fillList(
    $("segments"),
    flagged.map((s) => [`${secs(s.start_s)} to ${secs(s.end_s)}: ${fmt(s.score)}${who(s.identity)}`, "fake"]),
  );
}

// One step per timeline bin (each a second) for the face and the voice score, on a 0-1 axis, with the
// fake threshold dashed. Bins without a score leave a gap rather than a line drawn through them.
function drawTimeline(entries) {
  const canvas = $("timeline");
  const width = canvas.parentElement.clientWidth;
  const height = 200;
  const ctx = prepareCanvas(canvas, width, height);
  const m = { left: 34, right: 12, top: 10, bottom: 24 };
  const end = Math.max(1, ...entries.map((e) => e.end_s));
  const px = (t) => m.left + (t / end) * (width - m.left - m.right);
  const py = (v) => m.top + (1 - v) * (height - m.top - m.bottom);
  ctx.font = "11px system-ui, sans-serif";
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#ddd";
  ctx.fillStyle = "#555";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    ctx.beginPath();
    ctx.moveTo(px(0), py(v));
    ctx.lineTo(px(end), py(v));
    ctx.stroke();
    ctx.fillText(String(v), m.left - 5, py(v));
  }
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((s) => end / s <= 12) || 1200; // at most ~12 labels
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let t = 0; t <= end + 1e-6; t += step) ctx.fillText(`${t} s`, px(t), height - m.bottom + 6);
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = colour("fake");
  ctx.beginPath();
  ctx.moveTo(px(0), py(FAKE_AT));
  ctx.lineTo(px(end), py(FAKE_AT));
  ctx.stroke();
  ctx.setLineDash([]);
  const plot = (field, name) => {
    ctx.strokeStyle = ctx.fillStyle = colour(name);
    ctx.lineWidth = 2;
    ctx.beginPath();
    let count = 0;
    let last = null; // end of the previous scored bin, to join adjacent bins
    for (const e of entries) {
      const v = e[field];
      if (v === null || v === undefined) {
        last = null;
        continue;
      }
      if (last !== null && Math.abs(e.start_s - last) < 1e-6) ctx.lineTo(px(e.start_s), py(v));
      else ctx.moveTo(px(e.start_s), py(v));
      ctx.lineTo(px(e.end_s), py(v));
      last = e.end_s;
      count += 1;
    }
    ctx.stroke();
    return count;
  };
  const faces = plot("face_score", "face");
  const voices = plot("voice_score", "voice");
  Object.assign(canvas.dataset, { seconds: String(entries.length), facePoints: String(faces), voicePoints: String(voices) });
  const top = (field) => fmt(Math.max(...entries.map((e) => e[field]).filter((v) => v !== null && v !== undefined)));
  canvas.setAttribute(
    "aria-label",
    `Scores over ${entries.length} s: highest face score ${faces ? top("face_score") : "none"}, ` +
      `highest voice score ${voices ? top("voice_score") : "none"}`,
  );
}

function redraw() {
  if (!lastReport) return;
  if (lastReport.kind === "image" && $("picture").naturalWidth) drawFaces(lastReport);
  else if (lastReport.kind !== "image") drawTimeline(lastReport.timeline);
}

function setUp() {
  const key = $("api-key");
  key.value = sessionStorage.getItem(KEY_STORE) || "";
  $("key-set").hidden = !key.value;
  key.addEventListener("input", () => {
    if (key.value) sessionStorage.setItem(KEY_STORE, key.value);
    else sessionStorage.removeItem(KEY_STORE);
    $("key-set").hidden = !key.value;
  });
  $("file").addEventListener("change", (e) => choose(e.target.files[0]));
  $("upload").addEventListener("submit", submit);
  $("cancel").addEventListener("click", () => controller && controller.abort());
  const drop = $("drop");
  // A file dropped anywhere else would make the browser leave the page to open it: catch those drops too.
  for (const type of ["dragover", "drop"]) document.addEventListener(type, (e) => e.preventDefault());
  drop.addEventListener("dragover", () => drop.classList.add("over"));
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  let pending = false;
  window.addEventListener("resize", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      redraw();
    });
  });
  choose($("file").files[0]); // a file the browser kept in the input across a reload
}

setUp();
