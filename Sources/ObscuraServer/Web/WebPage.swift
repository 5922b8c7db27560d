/// The web page served at `/`: one self-contained HTML file (no CDN, no fonts, works offline)
/// that drives the REST API: upload with options, review regions (drag to add, click to remove),
/// render, view, download one or all, delete.
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Obscura</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 16px; color: #222; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  .muted { color: #666; font-size: 13px; }
  #drop { border: 2px dashed #999; border-radius: 8px; padding: 24px; text-align: center; margin: 12px 0; }
  #drop.over { background: #eef; border-color: #44c; }
  fieldset { border: 1px solid #ccc; border-radius: 6px; margin: 8px 0; }
  label { margin-right: 14px; }
  button { font: inherit; padding: 4px 12px; margin: 2px; }
  #cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 12px; }
  .card { border: 1px solid #ccc; border-radius: 6px; padding: 8px; width: 500px; }
  .card canvas, .card img.result { max-width: 480px; display: block; cursor: crosshair; }
  .error { color: #b00; }
  progress { width: 300px; }
</style>
</head>
<body>
<h1>Obscura</h1>
<div class="muted">Finds faces (and, if asked, plates, text and personal data) and destroys them. Everything stays on this machine; results hold pixels only.</div>

<fieldset>
  <legend>Find</legend>
  <label><input type="checkbox" name="kind" value="faces" checked> faces</label>
  <label><input type="checkbox" name="kind" value="plates"> licence plates</label>
  <label><input type="checkbox" name="kind" value="text"> all text</label>
  <label><input type="checkbox" name="kind" value="pii"> personal data in text</label>
</fieldset>
<fieldset>
  <legend>Paint</legend>
  <label>style <select id="style"><option>pixelate</option><option>blur</option><option>solid</option></select></label>
  <label>colour <input type="color" id="fill" value="#000000"></label>
  <label>shape <select id="shape"><option>ellipse</option><option>rect</option></select></label>
  <label>strength <select id="cells"><option value="4">strongest (4 cells)</option><option value="6" selected>strong (6 cells)</option><option value="10">weak (10 cells)</option></select></label>
  <label>format <select id="format"><option>keep</option><option>jpeg</option><option>png</option><option>webp</option></select></label>
</fieldset>
<fieldset>
  <legend>Server</legend>
  <label>API token (only if the server needs one) <input type="password" id="token" size="30"></label>
</fieldset>

<div id="drop">Drop photos here, or <input type="file" id="files" multiple accept="image/*,.heic,.heif,.avif"></div>
<button id="upload">Find regions</button>
<button id="render" disabled>Render</button>
<button id="zip" disabled>Download all (zip)</button>
<button id="deleteAll">Delete all</button>
<progress id="progress" value="0" max="1"></progress> <span id="status" class="muted"></span>
<div class="muted">Review: drag on a photo to add a region; click a region to remove it (or to keep that face as it is); click it again to bring it back.</div>
<div id="cards"></div>

<script>
"use strict";
let job = null;           // the current job's id
let picked = [];          // files chosen or dropped
const cards = new Map();  // image index -> {card, canvas, regions, img, scale, state}

const $ = (id) => document.getElementById(id);
const tokenInput = $("token");
tokenInput.value = sessionStorage.getItem("obscura-token") || "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("obscura-token", tokenInput.value));

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (tokenInput.value) h["Authorization"] = "Bearer " + tokenInput.value;
  return h;
}
async function api(path, options) {
  options = options || {};
  options.headers = headers(options.headers);
  const response = await fetch(path, options);
  if (!response.ok && response.status !== 204) {
    let message = response.status + "";
    try { const e = (await response.json()).error; message = e.message + " [" + e.code + "]"; } catch (_) {}
    throw new Error(message);
  }
  return response;
}
function say(text, isError) { $("status").textContent = text; $("status").className = isError ? "error" : "muted"; }

const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); picked = picked.concat(Array.from(e.dataTransfer.files)); say(picked.length + " file(s) ready"); });
$("files").addEventListener("change", (e) => { picked = picked.concat(Array.from(e.target.files)); say(picked.length + " file(s) ready"); });

function options() {
  const detect = Array.from(document.querySelectorAll("input[name=kind]:checked")).map((c) => c.value);
  return { detect: detect, style: $("style").value, fill: $("fill").value.slice(1), shape: $("shape").value,
           cellsAcross: parseInt($("cells").value, 10), format: $("format").value };
}

$("upload").addEventListener("click", async () => {
  if (picked.length === 0) { say("choose or drop some photos first", true); return; }
  const form = new FormData();
  form.append("options", JSON.stringify(options()));
  form.append("review", "true");
  for (const file of picked) form.append("images", file, file.name);
  try {
    const response = await api("/v1/jobs", { method: "POST", body: form });
    const status = await response.json();
    job = status.id; picked = []; $("files").value = "";
    cards.clear(); $("cards").innerHTML = "";
    document.body.dataset.job = job;
    poll();
  } catch (e) { say(e.message, true); }
});

$("render").addEventListener("click", async () => {
  $("render").disabled = true;
  for (const [index, entry] of cards) {
    if (entry.state !== "review") continue;
    const regions = entry.regions.filter((r) => !r.removed).map((r) => ({ kind: r.kind, box: r.box, score: r.score }));
    try {
      await api(`/v1/jobs/${job}/images/${index}/regions`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ regions: regions }) });
    } catch (e) { entry.card.querySelector(".msg").textContent = e.message; }
  }
  poll();
});

$("zip").addEventListener("click", async () => {
  try { save(await (await api(`/v1/jobs/${job}/results.zip`)).blob(), "obscura.zip"); } catch (e) { say(e.message, true); }
});

$("deleteAll").addEventListener("click", async () => {
  try {
    const list = await (await api("/v1/jobs")).json();
    for (const j of list.jobs) await api(`/v1/jobs/${j.id}`, { method: "DELETE" });
    job = null; cards.clear(); $("cards").innerHTML = ""; say("every job was deleted");
  } catch (e) { say(e.message, true); }
});

function save(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = name; document.body.appendChild(a); a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function poll() {
  if (!job) return;
  let status;
  try { status = await (await api(`/v1/jobs/${job}`)).json(); } catch (e) { say(e.message, true); return; }
  const p = status.progress;
  $("progress").max = p.total; $("progress").value = p.done + p.failed + p.review;
  say(`${status.state}: ${p.done} done, ${p.review} to review, ${p.failed} failed, ${p.pending} in progress`);
  document.body.dataset.state = status.state;
  for (const image of status.images) await show(image);
  $("render").disabled = p.review === 0;
  $("zip").disabled = p.done === 0;
  if (status.state === "queued" || status.state === "running") setTimeout(poll, 400);
}

async function show(image) {
  let entry = cards.get(image.index);
  if (!entry) {
    const card = document.createElement("div");
    card.className = "card"; card.dataset.index = image.index;
    card.innerHTML = `<div><b></b> <span class="state muted"></span></div><div class="msg error"></div><div class="view"></div><div class="actions"></div>`;
    card.querySelector("b").textContent = image.name;
    $("cards").appendChild(card);
    entry = { card: card, regions: [], state: null };
    cards.set(image.index, entry);
  }
  if (entry.state === image.state) return;
  entry.state = image.state;
  entry.card.dataset.state = image.state;
  entry.card.querySelector(".state").textContent = image.state;
  if (image.error) entry.card.querySelector(".msg").textContent = `${image.error.message} [${image.error.code}]`;
  if (image.state === "review") await showReview(image, entry);
  if (image.state === "done") await showResult(image, entry);
}

async function showReview(image, entry) {
  const regions = await (await api(`/v1/jobs/${job}/images/${image.index}/regions`)).json();
  entry.regions = regions.regions.map((r) => Object.assign({ removed: false }, r));
  const blob = await (await api(`/v1/jobs/${job}/images/${image.index}/preview`)).blob();
  const img = new Image();
  img.src = URL.createObjectURL(blob);
  await img.decode();
  const canvas = document.createElement("canvas");
  entry.scale = Math.min(1, 480 / img.naturalWidth);
  canvas.width = Math.round(img.naturalWidth * entry.scale); canvas.height = Math.round(img.naturalHeight * entry.scale);
  entry.img = img; entry.canvas = canvas;
  const view = entry.card.querySelector(".view"); view.innerHTML = ""; view.appendChild(canvas);
  draw(entry);
  let start = null;
  const at = (e) => { const r = canvas.getBoundingClientRect(); return { x: (e.clientX - r.left) / entry.scale, y: (e.clientY - r.top) / entry.scale }; };
  canvas.addEventListener("mousedown", (e) => { start = at(e); });
  canvas.addEventListener("mousemove", (e) => { if (start) draw(entry, start, at(e)); });
  canvas.addEventListener("mouseup", (e) => {
    if (!start) return;
    const end = at(e), s = start; start = null;
    const w = Math.abs(end.x - s.x), h = Math.abs(end.y - s.y);
    if (w * entry.scale < 4 && h * entry.scale < 4) {
      // A click: remove (or restore) the smallest region under the pointer.
      const hits = entry.regions.filter((r) => end.x >= r.box[0] && end.x <= r.box[0] + r.box[2] && end.y >= r.box[1] && end.y <= r.box[1] + r.box[3]);
      hits.sort((a, b) => a.box[2] * a.box[3] - b.box[2] * b.box[3]);
      if (hits.length) hits[0].removed = !hits[0].removed;
    } else {
      entry.regions.push({ kind: "manual", box: [Math.min(s.x, end.x), Math.min(s.y, end.y), w, h].map((v) => Math.round(v * 10) / 10), removed: false });
    }
    draw(entry);
  });
}

function draw(entry, from, to) {
  const c = entry.canvas.getContext("2d"), k = entry.scale;
  c.drawImage(entry.img, 0, 0, entry.canvas.width, entry.canvas.height);
  c.lineWidth = 2;
  for (const r of entry.regions) {
    c.setLineDash(r.removed ? [4, 4] : []);
    c.strokeStyle = r.removed ? "#999" : r.kind === "manual" ? "#06f" : "#f00";
    c.strokeRect(r.box[0] * k, r.box[1] * k, r.box[2] * k, r.box[3] * k);
  }
  c.setLineDash([]);
  if (from && to) { c.strokeStyle = "#06f"; c.strokeRect(from.x * k, from.y * k, (to.x - from.x) * k, (to.y - from.y) * k); }
  entry.card.dataset.regions = entry.regions.filter((r) => !r.removed).length;
}

async function showResult(image, entry) {
  const blob = await (await api(`/v1/jobs/${job}/images/${image.index}/result`)).blob();
  const img = document.createElement("img");
  img.className = "result"; img.src = URL.createObjectURL(blob); img.alt = image.resultName;
  const view = entry.card.querySelector(".view"); view.innerHTML = ""; view.appendChild(img);
  const actions = entry.card.querySelector(".actions"); actions.innerHTML = "";
  const download = document.createElement("button"); download.textContent = "Download";
  download.addEventListener("click", () => save(blob, image.resultName));
  const remove = document.createElement("button"); remove.textContent = "Delete job";
  remove.addEventListener("click", async () => { await api(`/v1/jobs/${job}`, { method: "DELETE" }); job = null; cards.clear(); $("cards").innerHTML = ""; say("deleted"); });
  actions.append(download, remove);
}
</script>
</body>
</html>
"""#
}
