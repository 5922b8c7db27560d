/// The web page served at `/`: one self-contained HTML file (no CDN, no fonts, works offline,
/// allowed by the page's Content-Security-Policy) that drives the REST API for a person: choose
/// photos (thumbnails, remove any), find faces, check each photo in a large view with zoom and
/// pan (what will be painted, coloured by kind; keyboard, mouse and touch), hide and save,
/// compare before and after, change the regions again until Finish, download, and delete only
/// the photos this tab sent. Technical settings sit behind "Advanced"; the token field appears
/// only when the server needs one (`GET /v1/info`, or a 401).
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Obscura</title>
<style>
  :root { --bg: #ffffff; --fg: #1d1f23; --muted: #5b616b; --line: #cfd4db; --panel: #f4f5f7; --accent: #2452c9; --accent-fg: #ffffff;
          --danger: #b42318; --stage: #2a2d33; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #15171b; --fg: #e7e9ec; --muted: #a3a9b2; --line: #3b4049; --panel: #1e2127; --accent: #7fa4ff; --accent-fg: #0c1530;
            --danger: #ff8f85; --stage: #0b0c0e; }
  }
  * { box-sizing: border-box; }
  body { font: 16px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 12px; background: var(--bg); color: var(--fg); }
  h1 { font-size: 24px; margin: 0; }
  h2 { font-size: 18px; margin: 0 0 8px; overflow-wrap: anywhere; }
  p { margin: 4px 0; }
  .muted { color: var(--muted); font-size: 14px; }
  .error { color: var(--danger); }
  [hidden] { display: none !important; }
  section { margin: 14px 0; }
  fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 8px 12px; min-width: 0; }
  legend { font-weight: 600; padding: 0 4px; }
  label { display: inline-flex; align-items: center; gap: 6px; margin: 4px 14px 4px 0; }
  input, select, button { font: inherit; color: inherit; }
  select, input[type=number], input[type=password] { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 4px 6px; }
  input[type=number] { width: 5.5em; }
  input[type=password] { width: min(22em, 100%); }
  button { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 7px 14px; min-height: 40px; cursor: pointer; }
  button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); font-weight: 600; }
  button.danger { color: var(--danger); }
  button[aria-pressed=true] { outline: 2px solid var(--accent); outline-offset: -2px; font-weight: 600; }
  button:disabled { opacity: .45; cursor: default; }
  :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  details { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 12px; }
  summary { cursor: pointer; font-weight: 600; min-height: 32px; display: list-item; }
  #drop { border: 2px dashed var(--line); border-radius: 10px; padding: 18px; text-align: center; margin: 10px 0; }
  #drop.over { border-color: var(--accent); background: var(--panel); }
  #drop label { margin: 0; }
  .bar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
  ul.grid { list-style: none; padding: 0; margin: 8px 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(112px, 1fr)); gap: 10px; }
  .thumb, .card { position: relative; border: 1px solid var(--line); border-radius: 8px; padding: 6px; background: var(--panel); min-width: 0; }
  .thumb img, .card img { display: block; width: 100%; aspect-ratio: 1; object-fit: cover; border-radius: 5px; background: var(--stage); }
  .thumb .name, .card .name { font-size: 13px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; margin-top: 4px; }
  .thumb .remove { position: absolute; top: 2px; right: 2px; min-height: 32px; width: 32px; padding: 0; border-radius: 50%; font-size: 18px; line-height: 1; }
  .card .open { display: block; width: 100%; padding: 0; border: 0; min-height: 0; background: none; }
  .card[aria-current=true] { border-color: var(--accent); box-shadow: 0 0 0 2px var(--accent); }
  .card .state { font-size: 13px; }
  .card .del { width: 100%; margin-top: 4px; padding: 4px; min-height: 32px; font-size: 14px; }
  progress { width: 100%; height: 8px; }
  #overall { max-width: 320px; }
  #review { border: 1px solid var(--line); border-radius: 10px; padding: 10px; background: var(--panel); }
  #stage { position: relative; overflow: hidden; height: min(72vh, 820px); background: var(--stage); border-radius: 8px; touch-action: none; cursor: crosshair; user-select: none; }
  #stage[data-mode=move], #stage[data-view=before], #stage[data-view=after] { cursor: grab; }
  #layer { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
  #paint { display: block; }
  .region { position: absolute; margin: 0; padding: 0; min-height: 0; border-radius: 2px; background: transparent; cursor: pointer;
            border: calc(2.5px / var(--k, 1)) solid var(--c); box-shadow: 0 0 0 calc(1px / var(--k, 1)) rgba(0, 0, 0, .6); }
  .region.ellipse { border-radius: 50%; }
  .region.removed { --c: #b8bec6; border-style: dashed; box-shadow: none; }
  .region:focus-visible { outline: calc(3px / var(--k, 1)) solid #ffffff; outline-offset: calc(2px / var(--k, 1)); }
  .region::after { content: attr(data-label); position: absolute; left: 0; top: 100%; transform: scale(calc(1 / var(--k, 1))); transform-origin: 0 0;
                   white-space: nowrap; background: var(--c); color: #000; font: 600 13px/1.3 system-ui, sans-serif; padding: 1px 6px; border-radius: 3px; display: none; }
  .region:hover::after, .region:focus::after { display: block; }
  #rubber { position: absolute; border: calc(2px / var(--k, 1)) dashed var(--k-manual); pointer-events: none; }
  :root { --k-face: #ff5a5f; --k-plate: #ffb224; --k-text: #4cb3ff; --k-pii: #c084fc; --k-manual: #2ee6b6; --k-other: #ff8fd0; }
  .k-face { --c: var(--k-face); } .k-plate { --c: var(--k-plate); } .k-text { --c: var(--k-text); } .k-pii { --c: var(--k-pii); }
  .k-manual { --c: var(--k-manual); } .k-other { --c: var(--k-other); }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; margin: 6px 0; }
  .legend span::before { content: ""; display: inline-block; width: 12px; height: 12px; border: 3px solid var(--c); border-radius: 3px; margin-right: 5px; vertical-align: -2px; }
  .legend .gone::before { border: 2px dashed #b8bec6; }
  #metadata { font-size: 14px; }
  @media (max-width: 600px) {
    body { padding: 8px; font-size: 15px; }
    ul.grid { grid-template-columns: repeat(auto-fill, minmax(96px, 1fr)); }
    #stage { height: 60vh; }
    .bar button { flex: 1 1 auto; }
  }
</style>
</head>
<body>
<header>
  <h1>Obscura</h1>
  <p class="muted">Hides faces (and, if you ask, licence plates, text and personal data) in your photos and removes hidden data such as GPS location. Everything stays on this computer.</p>
</header>

<section id="choose" aria-labelledby="chooseTitle">
  <h2 id="chooseTitle">1. Choose photos</h2>
  <div id="drop">Drop photos here, or <label class="pick"><span>choose them:</span> <input type="file" id="files" multiple accept="image/*,.heic,.heif,.avif"></label></div>
  <p id="pickedCount" class="muted" aria-live="polite"></p>
  <ul id="picked" class="grid" aria-label="Chosen photos"></ul>

  <fieldset>
    <legend>What to hide</legend>
    <label><input type="checkbox" name="kind" value="faces" checked> faces</label>
    <label><input type="checkbox" name="kind" value="plates"> licence plates</label>
    <label><input type="checkbox" name="kind" value="text"> all text</label>
    <label><input type="checkbox" name="kind" value="pii"> personal data in text</label>
  </fieldset>
  <fieldset>
    <legend>How to hide it</legend>
    <label>look <select id="style"><option value="pixelate">pixelate</option><option value="blur">blur</option><option value="solid">solid colour</option></select></label>
    <label id="fillLabel" hidden>colour <input type="color" id="fill" value="#000000"></label>
  </fieldset>
  <details id="advanced">
    <summary>Advanced</summary>
    <label>shape <select id="shape"><option value="ellipse">oval</option><option value="rect">rectangle</option></select></label>
    <label>strength <select id="cells"><option value="4">strongest (4 cells across)</option><option value="6" selected>strong (6 cells across)</option><option value="10">weak (10 cells across)</option></select></label>
    <label>margin around faces <input type="number" id="margin" min="0" max="2" step="0.05" value="0.25"></label>
    <label>detector threshold <input type="number" id="threshold" min="0.01" max="1" step="0.01" value="0.2"></label>
    <label>file format <select id="format"><option value="keep">same as the photo</option><option value="jpeg">JPEG</option><option value="png">PNG</option><option value="webp">WebP</option></select></label>
  </details>
  <fieldset id="tokenBox" hidden>
    <legend>Access token</legend>
    <label>This server needs its token <input type="password" id="token" autocomplete="off"></label>
  </fieldset>
  <div class="bar"><button id="upload" class="primary">Find faces…</button></div>
</section>

<section id="work" aria-labelledby="workTitle" hidden>
  <h2 id="workTitle">2. Check and save</h2>
  <div class="bar">
    <button id="render" class="primary" disabled>Hide and save all</button>
    <button id="zip" disabled>Download all (zip)</button>
    <button id="finish" disabled>Finish</button>
    <button id="deleteAll" class="danger" disabled>Delete all my photos</button>
  </div>
  <progress id="overall" value="0" max="1"></progress>
  <p id="status" class="muted" role="status" aria-live="polite"></p>
  <ul id="cards" class="grid" aria-label="Your photos"></ul>

  <div id="review" hidden>
    <h2 id="reviewTitle"></h2>
    <div class="bar" id="viewBar">
      <button id="showBefore" aria-pressed="false">Before</button>
      <button id="showAfter" aria-pressed="false">After</button>
      <button id="edit">Change what is hidden</button>
      <button id="addRegion" title="Key: A">Add a box</button>
      <button id="moveMode" aria-pressed="false" title="Or drag with the middle button, or Shift-drag">Move</button>
      <button id="zoomOut" aria-label="Zoom out">−</button>
      <button id="zoomFit">Fit</button>
      <button id="zoomIn" aria-label="Zoom in">+</button>
      <label><input type="checkbox" id="showPaint" checked> show painting</label>
    </div>
    <div id="stage" tabindex="0" aria-label="The photo. Tab reaches each box; A adds a box; plus and minus zoom; 0 fits.">
      <div id="layer"><canvas id="paint" width="1" height="1"></canvas><div id="marks"></div><div id="rubber" hidden></div></div>
    </div>
    <div class="legend" id="legend" aria-hidden="true">
      <span class="k-face">face</span><span class="k-plate">licence plate</span><span class="k-text">text</span>
      <span class="k-pii">personal data</span><span class="k-manual">added by you</span><span class="gone">left visible</span>
    </div>
    <p id="help" class="muted">Each box shows what will be painted. Click a box to leave that area visible, click again to hide it. Drag on the photo to hide another area. Keys: Tab moves between boxes, Delete leaves the focused box visible, Enter hides it again, A adds a box, arrows move an added box (Shift+arrows resize it), + and − zoom, 0 fits.</p>
    <p id="summary"></p>
    <p id="metadata"></p>
    <div class="bar">
      <button id="saveOne" class="primary">Hide and save this photo</button>
      <button id="downloadOne">Download</button>
      <button id="deleteOne" class="danger">Delete this photo</button>
    </div>
  </div>
</section>
<script>
"use strict";
const $ = (id) => document.getElementById(id);

// Plain words for what the API says.
const KIND_WORDS = { face: "face", plate: "licence plate", text: "text", manual: "added by you" };
const kindWord = (k) => KIND_WORDS[k] || (k.startsWith("pii.") ? "personal data (" + k.slice(4) + ")" : k);
const kindClass = (k) => k.startsWith("pii.") ? "pii" : (KIND_WORDS[k] ? k : "other");
const META_WORDS = { exif: "camera settings (EXIF)", gps: "GPS location", timestamps: "dates and times", "maker-notes": "maker notes",
  "serial-numbers": "camera serial number", authorship: "author and copyright", xmp: "XMP data", iptc: "IPTC captions",
  photoshop: "Photoshop data", "icc-profile": "colour profile", thumbnail: "thumbnail", "extra-images": "extra images",
  comment: "comments", text: "text notes" };
const STATE_WORDS = { queued: "waiting", detecting: "looking…", review: "ready to check", approved: "waiting to paint",
  rendering: "painting…", done: "done", failed: "failed" };
const STATE_PROGRESS = { queued: 0.05, detecting: 0.3, review: 0.5, approved: 0.6, rendering: 0.8, done: 1, failed: 1 };
const plural = (n, one, many) => n + " " + (n === 1 ? one : (many || one + "s"));
const words = (list) => list.length <= 1 ? list.join("") : list.slice(0, -1).join(", ") + " and " + list[list.length - 1];

function say(text, isError) { $("status").textContent = text; $("status").className = isError ? "error" : "muted"; }

// The token field appears only when the server needs one.
const tokenInput = $("token");
tokenInput.value = sessionStorage.getItem("obscura-token") || "";
tokenInput.addEventListener("change", () => sessionStorage.setItem("obscura-token", tokenInput.value));
function showToken(message) {
  $("tokenBox").hidden = false;
  if (message) { say(message, true); $("chooseTitle").scrollIntoView(); tokenInput.focus(); }
}
if (tokenInput.value) showToken();
fetch("/v1/info").then((r) => r.ok ? r.json() : null).then((info) => { if (info && info.tokenRequired) showToken(); }).catch(() => {});
const TOKEN_NEEDED = "This server needs its access token: type it in the “Access token” field above, then try again.";

function authHeaders(extra) {
  const h = Object.assign({}, extra || {});
  if (tokenInput.value) h["Authorization"] = "Bearer " + tokenInput.value;
  return h;
}
async function api(path, options) {
  options = options || {};
  options.headers = authHeaders(options.headers);
  const response = await fetch(path, options);
  if (!response.ok) {
    if (response.status === 401) showToken(TOKEN_NEEDED);
    let message = "the server answered " + response.status;
    try { const e = (await response.json()).error; message = e.message; } catch (_) {}
    const error = new Error(message); error.status = response.status; throw error;
  }
  return response;
}
function save(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = name; document.body.appendChild(a); a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
async function loadImage(blob) {
  const img = new Image();
  img.src = URL.createObjectURL(blob);
  await img.decode();
  return img;
}

// The jobs this page created, kept for this tab only: "Delete all" touches these and no other.
function myJobs() { try { return JSON.parse(sessionStorage.getItem("obscura-jobs") || "[]"); } catch (_) { return []; } }
function setMyJobs(ids) { sessionStorage.setItem("obscura-jobs", JSON.stringify(ids)); document.body.dataset.jobs = ids.join(" "); }

// ---- 1. Choosing photos ----
let picked = [];   // {file, url, bar}
function addFiles(files) {
  for (const file of files) picked.push({ file: file, url: URL.createObjectURL(file) });
  drawPicked();
}
function drawPicked() {
  const list = $("picked");
  list.innerHTML = "";
  for (const item of picked) {
    const li = document.createElement("li"); li.className = "thumb";
    const img = document.createElement("img"); img.src = item.url; img.alt = "";
    img.addEventListener("error", () => { img.style.visibility = "hidden"; });
    const name = document.createElement("div"); name.className = "name"; name.textContent = item.file.name; name.title = item.file.name;
    const bar = document.createElement("progress"); bar.max = 1; bar.value = 0; bar.hidden = true; item.bar = bar;
    bar.setAttribute("aria-label", "Sending " + item.file.name);
    const remove = document.createElement("button"); remove.type = "button"; remove.className = "remove"; remove.textContent = "×";
    remove.setAttribute("aria-label", "Remove " + item.file.name);
    remove.addEventListener("click", () => {
      const at = picked.indexOf(item);
      URL.revokeObjectURL(item.url); picked.splice(at, 1); drawPicked();
      const buttons = list.querySelectorAll(".remove");
      (buttons[Math.min(at, buttons.length - 1)] || $("files")).focus();
    });
    li.append(img, name, bar, remove);
    list.appendChild(li);
  }
  $("pickedCount").textContent = picked.length ? plural(picked.length, "photo") + " chosen. Remove any you do not want to send." : "";
}
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); addFiles(Array.from(e.dataTransfer.files)); });
$("files").addEventListener("change", (e) => { addFiles(Array.from(e.target.files)); e.target.value = ""; });

const KIND_NAMES = { faces: "faces", plates: "licence plates", text: "text", pii: "personal data" };
function checkedKinds() { return Array.from(document.querySelectorAll("input[name=kind]:checked")).map((c) => c.value); }
function updateFindLabel() {
  const kinds = checkedKinds().map((k) => KIND_NAMES[k]);
  $("upload").textContent = "Find " + (kinds.length ? words(kinds) : "faces") + "…";
}
document.querySelectorAll("input[name=kind]").forEach((c) => c.addEventListener("change", updateFindLabel));
$("style").addEventListener("change", () => { $("fillLabel").hidden = $("style").value !== "solid"; });
updateFindLabel();

function options() {
  const number = (id) => { const v = parseFloat($(id).value); return isFinite(v) ? v : undefined; };
  return { detect: checkedKinds().length ? checkedKinds() : ["faces"], style: $("style").value, fill: $("fill").value.slice(1),
           shape: $("shape").value, cellsAcross: parseInt($("cells").value, 10), format: $("format").value,
           margin: number("margin"), threshold: number("threshold") };
}

$("upload").addEventListener("click", () => {
  if (picked.length === 0) { $("pickedCount").textContent = "Choose or drop some photos first."; $("files").focus(); return; }
  const items = picked.slice();
  const form = new FormData();
  form.append("options", JSON.stringify(options()));
  form.append("review", "true");
  for (const item of items) form.append("images", item.file, item.file.name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/v1/jobs");
  if (tokenInput.value) xhr.setRequestHeader("Authorization", "Bearer " + tokenInput.value);
  for (const item of items) item.bar.hidden = false;
  // Per-photo progress while sending: the bytes sent so far, laid over the files in order.
  const total = items.reduce((sum, item) => sum + item.file.size, 0);
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    let sent = e.loaded / e.total * total;
    for (const item of items) { item.bar.value = Math.max(0, Math.min(1, sent / Math.max(1, item.file.size))); sent -= item.file.size; }
  });
  const done = () => { $("upload").disabled = false; };
  xhr.addEventListener("load", () => {
    done();
    let body = null;
    try { body = JSON.parse(xhr.responseText); } catch (_) {}
    if (xhr.status !== 202) {
      if (xhr.status === 401) showToken(TOKEN_NEEDED);
      else $("pickedCount").textContent = "The photos could not be sent: " + ((body && body.error && body.error.message) || xhr.status);
      for (const item of items) item.bar.hidden = true;
      return;
    }
    setMyJobs(myJobs().concat([body.id]));
    for (const item of items) URL.revokeObjectURL(item.url);
    picked = picked.filter((item) => !items.includes(item));
    drawPicked();
    track(body.id);
  });
  xhr.addEventListener("error", () => { done(); $("pickedCount").textContent = "The photos could not be sent: is the server still running?"; });
  $("upload").disabled = true;
  $("pickedCount").textContent = "Sending " + plural(items.length, "photo") + "…";
  xhr.send(form);
});

// ---- 2. Jobs and photos ----
const jobs = new Map();      // job id -> last status
const entries = new Map();   // "job/index" -> one photo
let selected = null;         // key of the photo in the large view

async function track(id) {
  $("work").hidden = false;
  jobs.set(id, null);
  await poll(id);
}
async function poll(id) {
  let status;
  try { status = await (await api(`/v1/jobs/${id}`)).json(); } catch (e) {
    if (e.status === 404) forget(id); else say(e.message, true);
    return;
  }
  if (!jobs.has(id)) return;
  jobs.set(id, status);
  for (const image of status.images) await update(id, status, image);
  for (const [key, entry] of entries) {
    if (entry.job === id && !status.images.some((i) => i.index === entry.index)) dropEntry(key);
  }
  summarize();
  if (status.state === "queued" || status.state === "running") setTimeout(() => poll(id), 400);
}
function forget(id) {
  jobs.delete(id);
  setMyJobs(myJobs().filter((j) => j !== id));
  for (const [key, entry] of entries) if (entry.job === id) dropEntry(key);
  summarize();
}
function dropEntry(key) {
  const entry = entries.get(key);
  if (!entry) return;
  entry.card.remove();
  entries.delete(key);
  if (selected === key) { selected = null; $("review").hidden = true; }
}

function makeCard(id, image) {
  const card = document.createElement("li");
  card.className = "card"; card.dataset.key = id + "/" + image.index;
  card.innerHTML = `<button class="open" type="button"><img alt=""></button><div class="name"></div><div class="state"></div>` +
    `<progress max="1" value="0"></progress><div class="msg error"></div><button class="del danger" type="button">Delete</button>`;
  card.querySelector(".name").textContent = image.name;
  card.querySelector(".name").title = image.name;
  card.querySelector(".open").setAttribute("aria-label", "Check " + image.name);
  card.querySelector(".del").setAttribute("aria-label", "Delete " + image.name);
  $("cards").appendChild(card);
  const entry = { job: id, index: image.index, key: card.dataset.key, name: image.name, card: card, state: null, regions: [],
                  dirty: false, view: "edit" };
  card.querySelector(".open").addEventListener("click", () => select(entry.key, true));
  card.querySelector(".del").addEventListener("click", () => deletePhoto(entry));
  return entry;
}

async function update(id, status, image) {
  const key = id + "/" + image.index;
  let entry = entries.get(key);
  if (!entry) { entry = makeCard(id, image); entries.set(key, entry); }
  entry.options = status.options;
  entry.originalsKept = status.originalsKept;
  entry.width = image.width; entry.height = image.height;
  if (entry.state === image.state) return;
  entry.state = image.state;
  entry.resultName = image.resultName;
  entry.card.dataset.state = image.state;
  entry.card.querySelector(".state").textContent = STATE_WORDS[image.state] || image.state;
  const bar = entry.card.querySelector("progress");
  bar.value = STATE_PROGRESS[image.state] || 0;
  bar.setAttribute("aria-label", image.name + ": " + (STATE_WORDS[image.state] || image.state));
  entry.card.querySelector(".msg").textContent = image.error ? image.error.message : "";
  try {
    if (image.state === "review") await loadReview(entry);
    if (image.state === "done") await loadResult(entry);
  } catch (e) { entry.card.querySelector(".msg").textContent = e.message; }
  if (selected === key) show(true);
  else if (!selected && (image.state === "review" || image.state === "done")) select(key, false);
}

async function loadRegions(entry) {
  const doc = await (await api(`/v1/jobs/${entry.job}/images/${entry.index}/regions`)).json();
  entry.width = doc.width; entry.height = doc.height;
  const regions = doc.regions.map((r, i) => ({ kind: r.kind, box: r.box, score: r.score, planned: doc.planned ? doc.planned[i] : undefined, removed: false }));
  // What the detectors found and a person left out comes back as "left visible", so it can be hidden again.
  const same = (a, b) => a.every((v, i) => Math.abs(v - b[i]) < 0.06);
  (doc.detected || []).forEach((d, i) => {
    if (regions.some((r) => r.kind === d.kind && same(r.box, d.box))) return;
    regions.push({ kind: d.kind, box: d.box, score: d.score, planned: doc.detectedPlanned ? doc.detectedPlanned[i] : undefined, removed: true });
  });
  entry.regions = regions;
  groupRegions(entry.regions);
  entry.dirty = false;
}
async function loadBefore(entry) {
  if (entry.before) return;
  entry.before = await loadImage(await (await api(`/v1/jobs/${entry.job}/images/${entry.index}/preview`)).blob());
}
async function loadReview(entry) {
  await loadRegions(entry);
  await loadBefore(entry);
  entry.view = "edit";
  entry.card.querySelector("img").src = entry.before.src;
  countRegions(entry);
}
async function loadResult(entry) {
  const blob = await (await api(`/v1/jobs/${entry.job}/images/${entry.index}/result`)).blob();
  entry.resultBlob = blob;
  entry.after = await loadImage(blob);
  entry.card.querySelector("img").src = entry.after.src;
  entry.report = await (await api(`/v1/jobs/${entry.job}/images/${entry.index}/report`)).json();
  entry.view = "after";
  if (entry.originalsKept) {
    // The original is kept until Finish: the regions can still change.
    try { await loadRegions(entry); await loadBefore(entry); } catch (_) { entry.before = null; }
  }
  countRegions(entry);
}

// Nested duplicates (one box of a kind mostly inside another of the same kind) form one group:
// removing or restoring any of them acts on all, so nothing stays painted under an outer box.
function groupRegions(regions) {
  const parent = regions.map((_, i) => i);
  const find = (i) => parent[i] === i ? i : (parent[i] = find(parent[i]));
  for (let i = 0; i < regions.length; i++) for (let j = i + 1; j < regions.length; j++) {
    const a = regions[i], b = regions[j];
    if (a.kind === "manual" || b.kind === "manual" || kindClass(a.kind) !== kindClass(b.kind)) continue;
    if (overlap(a.box, b.box) >= 0.6) parent[find(i)] = find(j);
  }
  regions.forEach((r, i) => { r.group = find(i); });
}
function overlap(a, b) {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  return ix * iy / Math.max(1e-9, Math.min(a[2] * a[3], b[2] * b[3]));
}
let nextGroup = 1e6;
function groupsOf(entry) {
  const map = new Map();
  for (const r of entry.regions) {
    if (!map.has(r.group)) map.set(r.group, { id: r.group, members: [] });
    map.get(r.group).members.push(r);
  }
  const groups = Array.from(map.values());
  for (const g of groups) {
    g.removed = g.members.every((r) => r.removed);
    g.main = g.members.reduce((a, b) => (b.score || 0) > (a.score || 0) ? b : a);
    const rects = g.members.map(paintedRect).filter((p) => p);
    if (rects.length === 0) { g.rect = null; continue; }
    const x0 = Math.min(...rects.map((p) => p[0])), y0 = Math.min(...rects.map((p) => p[1]));
    const x1 = Math.max(...rects.map((p) => p[0] + p[2])), y1 = Math.max(...rects.map((p) => p[1] + p[3]));
    g.rect = [x0, y0, x1 - x0, y1 - y0];
    g.shape = g.members.every((r) => shapeOf(r) === "ellipse") ? "ellipse" : "rect";
  }
  return groups;
}
// What the server will paint: its plan for a detected region, or a drawn box as drawn.
function paintedRect(r) {
  if (r.kind === "manual") {
    const x0 = Math.floor(r.box[0]), y0 = Math.floor(r.box[1]);
    return [x0, y0, Math.ceil(r.box[0] + r.box[2]) - x0, Math.ceil(r.box[1] + r.box[3]) - y0];
  }
  return r.planned ? r.planned.painted : (r.planned === null ? null : r.box);
}
function shapeOf(r) { return r.kind === "manual" ? "rect" : r.planned ? r.planned.shape : "rect"; }
function styleOf(r, options) { return r.kind !== "manual" && r.planned ? r.planned.style : (options && options.style) || "pixelate"; }
function countRegions(entry) {
  const active = groupsOf(entry).filter((g) => !g.removed);
  entry.card.dataset.regions = active.length;
  return active;
}

// ---- The large view: zoom, pan, draw ----
const stage = $("stage"), layer = $("layer"), canvas = $("paint"), marks = $("marks"), rubber = $("rubber");
const view = { k: 1, tx: 0, ty: 0, move: false };

function current() { return selected ? entries.get(selected) : null; }
function select(key, focus) {
  selected = key;
  for (const e of entries.values()) e.card.setAttribute("aria-current", e.key === key ? "true" : "false");
  show(true);
  if (focus) { $("review").scrollIntoView({ block: "nearest" }); stage.focus({ preventScroll: true }); }
}
function baseImage(entry) { return entry.view === "after" ? entry.after : entry.before || entry.after; }
function show(refit) {
  const entry = current();
  if (!entry) { $("review").hidden = true; return; }
  $("review").hidden = false;
  $("review").dataset.key = entry.key;
  if (entry.view !== "after" && !entry.before) entry.view = "after";
  if (entry.view === "after" && !entry.after) entry.view = "edit";
  const img = baseImage(entry);
  $("reviewTitle").textContent = entry.name + ": " + (STATE_WORDS[entry.state] || entry.state);
  showControls(entry);
  if (!img) { canvas.width = 1; canvas.height = 1; marks.innerHTML = ""; return; }
  if (refit || canvas.dataset.key !== entry.key) fit(img);
  canvas.dataset.key = entry.key;
  draw();
}
function showControls(entry) {
  const done = entry.state === "done", editing = entry.view === "edit", review = entry.state === "review";
  const editable = review || (done && entry.originalsKept && !!entry.before);
  $("showBefore").hidden = $("showAfter").hidden = !done;
  $("showBefore").disabled = !entry.before || !entry.originalsKept;
  $("showBefore").title = entry.originalsKept ? "" : "The original was deleted when you pressed Finish";
  $("showBefore").setAttribute("aria-pressed", String(entry.view === "before"));
  $("showAfter").setAttribute("aria-pressed", String(entry.view === "after"));
  $("edit").hidden = !done || !editable;
  $("edit").setAttribute("aria-pressed", String(editing));
  $("addRegion").hidden = $("help").hidden = $("legend").hidden = !(editable && editing);
  $("showPaint").parentElement.hidden = !(editable && editing);
  $("saveOne").hidden = !(editable && (review || (editing && entry.dirty)));
  $("downloadOne").hidden = !done;
  stage.dataset.view = entry.view;
  stage.dataset.mode = view.move ? "move" : "draw";
  $("moveMode").setAttribute("aria-pressed", String(view.move));
  const active = entry.regions.length ? groupsOf(entry).filter((g) => !g.removed) : [];
  const counts = {};
  for (const g of active) { const w = kindWord(g.main.kind); counts[w] = (counts[w] || 0) + 1; }
  const list = Object.entries(counts).map(([w, n]) => n + " × " + w);
  $("summary").textContent = entry.state === "failed" ? "" : editing || review
    ? (list.length ? "Will be hidden: " + list.join(", ") + "." : "Nothing will be hidden in this photo. Look again, and drag over anything that should be.")
    : done ? (entry.report && entry.report.regions ? "Hidden: " + plural(entry.report.regions.length, "area") + "." : "") : "";
  const removed = done && entry.report ? entry.report.metadataRemoved || [] : null;
  $("metadata").dataset.kinds = removed ? removed.join(" ") : "";
  $("metadata").textContent = removed === null ? "" : removed.length
    ? "Removed from the file: " + words(removed.map((k) => META_WORDS[k] || k)) + "."
    : "The file held no hidden data (no GPS, camera or author details) to remove.";
}
function fit(img) {
  const w = stage.clientWidth, h = stage.clientHeight;
  view.k = Math.min(w / img.naturalWidth, h / img.naturalHeight);
  view.fitK = view.k;
  view.tx = (w - img.naturalWidth * view.k) / 2;
  view.ty = (h - img.naturalHeight * view.k) / 2;
  applyView();
}
function applyView() {
  layer.style.transform = `translate(${view.tx}px, ${view.ty}px) scale(${view.k})`;
  stage.style.setProperty("--k", view.k);
}
function zoomAt(cx, cy, factor) {
  const k = Math.max((view.fitK || 1) * 0.5, Math.min(16, view.k * factor));
  view.tx = cx - (cx - view.tx) * k / view.k;
  view.ty = cy - (cy - view.ty) * k / view.k;
  view.k = k;
  applyView();
}
function zoomCentre(factor) { zoomAt(stage.clientWidth / 2, stage.clientHeight / 2, factor); }

// Draws the photo and, while editing, what will be painted (an approximation of the server's
// pixelation, blur or colour, clipped to the planned shape), then one focusable box per group.
function draw() {
  const entry = current();
  if (!entry) return;
  const img = baseImage(entry);
  if (!img) return;
  const w = img.naturalWidth, h = img.naturalHeight;
  const cs = Math.min(1, 4096 / Math.max(w, h));
  if (canvas.width !== Math.round(w * cs) || canvas.height !== Math.round(h * cs)) { canvas.width = Math.round(w * cs); canvas.height = Math.round(h * cs); }
  canvas.style.width = w + "px"; canvas.style.height = h + "px";
  layer.style.width = w + "px"; layer.style.height = h + "px";
  const c = canvas.getContext("2d");
  c.imageSmoothingEnabled = true;
  c.drawImage(img, 0, 0, canvas.width, canvas.height);
  const editing = entry.view === "edit";
  if (editing && $("showPaint").checked) paintPreview(c, img, entry, cs);
  marks.innerHTML = "";
  if (!editing) { stage.dataset.regions = ""; return; }
  const groups = groupsOf(entry);
  for (const g of groups) {
    if (!g.rect) continue;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "region k-" + kindClass(g.main.kind) + (g.shape === "ellipse" ? " ellipse" : "") + (g.removed ? " removed" : "");
    b.dataset.group = g.id;
    b.style.left = g.rect[0] + "px"; b.style.top = g.rect[1] + "px";
    b.style.width = g.rect[2] + "px"; b.style.height = g.rect[3] + "px";
    const score = g.main.score != null ? " " + g.main.score.toFixed(2) : "";
    const merged = g.members.length > 1 ? " (" + g.members.length + " boxes)" : "";
    const label = kindWord(g.main.kind) + score + merged + (g.removed ? ": left visible" : "");
    b.dataset.label = label;
    b.title = label;
    b.setAttribute("aria-label", label + (g.removed ? ". Press Enter to hide it again." : ": will be hidden. Press Delete to leave it visible."));
    b.setAttribute("aria-pressed", String(!g.removed));
    b.addEventListener("click", (e) => { if (e.detail === 0) toggle(g.id); });
    b.addEventListener("keydown", (e) => regionKey(e, g));
    marks.appendChild(b);
  }
  stage.dataset.regions = countRegions(entry).length;
}
function paintPreview(c, img, entry, cs) {
  const o = entry.options || {};
  const cells = o.cellsAcross || 6;
  for (const r of entry.regions) {
    const p = paintedRect(r);
    if (r.removed || !p) continue;
    const x0 = Math.max(0, p[0]), y0 = Math.max(0, p[1]);
    const x1 = Math.min(img.naturalWidth, p[0] + p[2]), y1 = Math.min(img.naturalHeight, p[1] + p[3]);
    const w = x1 - x0, h = y1 - y0;
    if (w <= 0 || h <= 0) continue;
    c.save();
    c.beginPath();
    if (shapeOf(r) === "ellipse") c.ellipse((p[0] + p[2] / 2) * cs, (p[1] + p[3] / 2) * cs, p[2] / 2 * cs, p[3] / 2 * cs, 0, 0, 2 * Math.PI);
    else c.rect(x0 * cs, y0 * cs, w * cs, h * cs);
    c.clip();
    const style = styleOf(r, o);
    if (style === "solid") {
      c.fillStyle = "#" + (o.fill || "000000");
      c.fillRect(x0 * cs, y0 * cs, w * cs, h * cs);
    } else {
      const cell = Math.max(Math.ceil(Math.min(w, h) / cells), cells <= 6 ? 8 : 2);
      const small = document.createElement("canvas");
      small.width = Math.max(1, Math.ceil(w / cell)); small.height = Math.max(1, Math.ceil(h / cell));
      small.getContext("2d").drawImage(img, x0, y0, w, h, 0, 0, small.width, small.height);
      c.imageSmoothingEnabled = style === "blur";
      c.drawImage(small, 0, 0, small.width, small.height, x0 * cs, y0 * cs, w * cs, h * cs);
    }
    c.restore();
  }
}

function edited(entry) { entry.dirty = true; draw(); showControls(entry); }
function toggle(groupID) {
  const entry = current();
  if (!entry) return;
  const members = entry.regions.filter((r) => r.group === groupID);
  const removed = !members.every((r) => r.removed);
  for (const r of members) r.removed = removed;
  edited(entry);
  refocus(groupID);
}
function refocus(groupID) {
  const b = marks.querySelector(`[data-group="${groupID}"]`);
  if (b) b.focus({ preventScroll: true });
}
function removeGroup(g) {
  const entry = current();
  const buttons = Array.from(marks.querySelectorAll(".region"));
  const at = buttons.findIndex((b) => b.dataset.group === String(g.id));
  if (g.members.every((r) => r.kind === "manual")) entry.regions = entry.regions.filter((r) => r.group !== g.id);
  else for (const r of g.members) r.removed = true;
  edited(entry);
  if (entry.regions.some((r) => r.group === g.id)) refocus(g.id);
  else { const left = marks.querySelectorAll(".region"); (left[Math.min(at, left.length - 1)] || stage).focus({ preventScroll: true }); }
}
function addRegion(box) {
  const entry = current();
  if (!entry || entry.view !== "edit") return;
  const img = baseImage(entry);
  if (!box) {
    // A box in the middle of what is visible, a sixth of the photo's shorter side.
    const side = Math.min(img.naturalWidth, img.naturalHeight) / 6;
    const cx = (stage.clientWidth / 2 - view.tx) / view.k, cy = (stage.clientHeight / 2 - view.ty) / view.k;
    box = [cx - side / 2, cy - side / 2, side, side];
  }
  const r = { kind: "manual", box: box.map((v) => Math.round(v * 10) / 10), removed: false, group: nextGroup++ };
  entry.regions.push(r);
  edited(entry);
  refocus(r.group);
}
function regionKey(e, g) {
  const entry = current();
  if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); e.stopPropagation(); removeGroup(g); return; }
  const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (arrows[e.key] && g.members.length === 1 && g.members[0].kind === "manual") {
    e.preventDefault(); e.stopPropagation();
    const r = g.members[0], step = Math.max(1, 8 / view.k), [dx, dy] = arrows[e.key];
    if (e.shiftKey) { r.box[2] = Math.max(2, r.box[2] + dx * step); r.box[3] = Math.max(2, r.box[3] + dy * step); }
    else { r.box[0] += dx * step; r.box[1] += dy * step; }
    edited(entry);
    refocus(g.id);
  }
}
stage.addEventListener("keydown", (e) => {
  const entry = current();
  if (!entry) return;
  if (e.key === "+" || e.key === "=") { zoomCentre(1.25); e.preventDefault(); }
  else if (e.key === "-" || e.key === "_") { zoomCentre(0.8); e.preventDefault(); }
  else if (e.key === "0") { fit(baseImage(entry)); e.preventDefault(); }
  else if (e.key === "a" || e.key === "A") { addRegion(); e.preventDefault(); }
  else if (e.target === stage && e.key.startsWith("Arrow")) {
    const d = 40;
    if (e.key === "ArrowLeft") view.tx += d; if (e.key === "ArrowRight") view.tx -= d;
    if (e.key === "ArrowUp") view.ty += d; if (e.key === "ArrowDown") view.ty -= d;
    applyView(); e.preventDefault();
  }
});
stage.addEventListener("wheel", (e) => {
  if (!current()) return;
  e.preventDefault();
  const r = stage.getBoundingClientRect();
  zoomAt(e.clientX - r.left, e.clientY - r.top, e.deltaY < 0 ? 1.15 : 1 / 1.15);
}, { passive: false });

// Pointer events: mouse, pen and touch alike. Drag draws a box (or pans in Move mode, with the
// middle button, with Shift, or when not editing); a tap on a box toggles it; two fingers pinch.
const pointers = new Map();
let gesture = null;
function toImage(clientX, clientY) {
  const r = stage.getBoundingClientRect();
  return { x: (clientX - r.left - view.tx) / view.k, y: (clientY - r.top - view.ty) / view.k };
}
stage.addEventListener("pointerdown", (e) => {
  const entry = current();
  if (!entry) return;
  stage.setPointerCapture(e.pointerId);
  pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  if (pointers.size === 2) {
    const [a, b] = Array.from(pointers.values());
    gesture = { type: "pinch", distance: Math.hypot(a.x - b.x, a.y - b.y) };
    rubber.hidden = true;
    return;
  }
  const pan = view.move || e.button === 1 || e.shiftKey || entry.view !== "edit";
  const target = e.target.closest ? e.target.closest(".region") : null;
  gesture = { type: pan ? "pan" : "draw", sx: e.clientX, sy: e.clientY, tx: view.tx, ty: view.ty,
              start: toImage(e.clientX, e.clientY), group: target ? Number(target.dataset.group) : null };
  e.preventDefault();
});
stage.addEventListener("pointermove", (e) => {
  if (!pointers.has(e.pointerId) || !gesture) return;
  pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
  if (gesture.type === "pinch" && pointers.size === 2) {
    const [a, b] = Array.from(pointers.values());
    const distance = Math.hypot(a.x - b.x, a.y - b.y), r = stage.getBoundingClientRect();
    zoomAt((a.x + b.x) / 2 - r.left, (a.y + b.y) / 2 - r.top, distance / gesture.distance);
    gesture.distance = distance;
  } else if (gesture.type === "pan") {
    view.tx = gesture.tx + e.clientX - gesture.sx; view.ty = gesture.ty + e.clientY - gesture.sy; applyView();
  } else if (gesture.type === "draw" && Math.hypot(e.clientX - gesture.sx, e.clientY - gesture.sy) >= 5) {
    const p = toImage(e.clientX, e.clientY), s = gesture.start;
    rubber.hidden = false;
    rubber.style.left = Math.min(s.x, p.x) + "px"; rubber.style.top = Math.min(s.y, p.y) + "px";
    rubber.style.width = Math.abs(p.x - s.x) + "px"; rubber.style.height = Math.abs(p.y - s.y) + "px";
  }
});
function endPointer(e) {
  if (!pointers.has(e.pointerId)) return;
  pointers.delete(e.pointerId);
  const g = gesture;
  if (pointers.size > 0) { if (g && g.type === "pinch") gesture = null; return; }
  gesture = null;
  rubber.hidden = true;
  if (!g || g.type !== "draw" || e.type === "pointercancel") return;
  const moved = Math.hypot(e.clientX - g.sx, e.clientY - g.sy);
  if (moved < 5) { if (g.group !== null) toggle(g.group); return; }
  const p = toImage(e.clientX, e.clientY), s = g.start;
  const w = Math.abs(p.x - s.x), h = Math.abs(p.y - s.y);
  if (w >= 2 && h >= 2) addRegion([Math.min(s.x, p.x), Math.min(s.y, p.y), w, h]);
}
stage.addEventListener("pointerup", endPointer);
stage.addEventListener("pointercancel", endPointer);

$("zoomIn").addEventListener("click", () => zoomCentre(1.25));
$("zoomOut").addEventListener("click", () => zoomCentre(0.8));
$("zoomFit").addEventListener("click", () => { const e = current(); if (e) fit(baseImage(e)); });
$("moveMode").addEventListener("click", () => { view.move = !view.move; const e = current(); if (e) showControls(e); });
$("addRegion").addEventListener("click", () => addRegion());
$("showPaint").addEventListener("change", draw);
function setView(name) { const e = current(); if (!e) return; e.view = name; show(false); }
$("showBefore").addEventListener("click", () => setView("before"));
$("showAfter").addEventListener("click", () => setView("after"));
$("edit").addEventListener("click", () => { const e = current(); if (e) setView(e.view === "edit" ? "after" : "edit"); });
window.addEventListener("resize", () => { const e = current(); if (e && baseImage(e)) fit(baseImage(e)); });

// ---- Saving, finishing, deleting ----
function regionsBody(entry) {
  return JSON.stringify({ regions: entry.regions.filter((r) => !r.removed).map((r) => r.score == null ? { kind: r.kind, box: r.box } : { kind: r.kind, box: r.box, score: r.score }) });
}
async function render(list) {
  const touched = new Set();
  for (const entry of list) {
    try {
      await api(`/v1/jobs/${entry.job}/images/${entry.index}/regions`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: regionsBody(entry) });
      entry.dirty = false;
      touched.add(entry.job);
    } catch (e) { entry.card.querySelector(".msg").textContent = e.message; }
  }
  for (const id of touched) poll(id);
}
const renderable = (e) => e.state === "review" || (e.state === "done" && e.dirty && e.originalsKept);
$("render").addEventListener("click", () => render(Array.from(entries.values()).filter(renderable)));
$("saveOne").addEventListener("click", () => { const e = current(); if (e && renderable(e)) render([e]); });
$("downloadOne").addEventListener("click", () => { const e = current(); if (e && e.resultBlob) save(e.resultBlob, e.resultName || e.name); });
$("zip").addEventListener("click", async () => {
  for (const [id, status] of jobs) {
    if (!status || status.progress.done === 0) continue;
    try { save(await (await api(`/v1/jobs/${id}/results.zip`)).blob(), "obscura-" + id.slice(0, 8) + ".zip"); } catch (e) { say(e.message, true); }
  }
});
$("finish").addEventListener("click", async () => {
  const ready = Array.from(jobs.entries()).filter(([, s]) => s && s.originalsKept && s.state === "finished").map(([id]) => id);
  if (!ready.length) return;
  if (!confirm("Finish: the original photos are deleted from the server, so you can no longer change what is hidden. Your results stay until you delete them or they expire.")) return;
  for (const id of ready) {
    try { await api(`/v1/jobs/${id}/finish`, { method: "POST" }); } catch (e) { say(e.message, true); }
    for (const entry of entries.values()) if (entry.job === id) { entry.before = null; entry.view = "after"; }
    await poll(id);
  }
  show(false);
});
$("deleteAll").addEventListener("click", async () => {
  const ids = myJobs();
  const count = Array.from(entries.values()).filter((e) => ids.includes(e.job)).length;
  if (!ids.length || !confirm(`Delete the ${plural(count, "photo")} this page sent, and their results, from the server? This cannot be undone.`)) return;
  for (const id of ids) {
    try { await api(`/v1/jobs/${id}`, { method: "DELETE" }); } catch (e) { if (e.status !== 404) { say(e.message, true); continue; } }
    forget(id);
  }
  say("Your photos were deleted from the server.");
});
async function deletePhoto(entry) {
  if (!confirm(`Delete “${entry.name}” and its result from the server?`)) return;
  try {
    await api(`/v1/jobs/${entry.job}/images/${entry.index}`, { method: "DELETE" });
  } catch (e) { if (e.status !== 404) { say(e.message, true); return; } }
  dropEntry(entry.key);
  await poll(entry.job);
}
$("deleteOne").addEventListener("click", () => { const e = current(); if (e) deletePhoto(e); });

function summarize() {
  const all = Array.from(entries.values());
  const count = (s) => all.filter((e) => e.state === s).length;
  const done = count("done"), review = count("review"), failed = count("failed");
  const pending = all.length - done - review - failed;
  $("overall").max = Math.max(1, all.length);
  $("overall").value = done + failed + review * 0.5;
  const statuses = Array.from(jobs.values()).filter((s) => s);
  const finishable = statuses.some((s) => s.originalsKept && s.state === "finished");
  $("render").disabled = !all.some(renderable);
  $("zip").disabled = done === 0;
  $("finish").disabled = !finishable;
  $("deleteAll").disabled = myJobs().length === 0;
  document.body.dataset.state = all.length === 0 ? "" : pending ? "running" : review ? "review" : "finished";
  document.body.dataset.finished = statuses.length && statuses.every((s) => s.finishedAt) ? "true" : "false";
  $("work").hidden = all.length === 0 && myJobs().length === 0;
  const parts = [];
  if (pending) parts.push(plural(pending, "photo") + " in progress");
  if (review) parts.push(plural(review, "photo") + " ready to check: look at each one, then press “Hide and save all”");
  if (done) parts.push(plural(done, "photo") + " done" + (finishable ? ": download them, then press “Finish” to delete the originals" : ""));
  if (failed) parts.push(plural(failed, "photo") + " failed");
  say(parts.length ? parts.join(". ") + "." : all.length ? "" : "No photos yet.");
  const entry = current();
  if (entry) showControls(entry);
}

// Jobs this tab created before a reload come back.
setMyJobs(myJobs());
for (const id of myJobs()) track(id);
</script>
</body>
</html>
"""#
}
