#!/usr/bin/env python3
# Writes the OpenAPI 3 document of `obscura serve` to Sources/ObscuraServer/API/openapi.json,
# which the server embeds and serves at /openapi.json. Run it after changing the API;
# `--check` only says whether the committed file is what this script writes (ServeTests runs it).
import os
import sys
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
import json
err = {"$ref": "#/components/responses/Error"}
def errs(*codes): return {str(c): err for c in codes}
job_p = {"name": "job", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
img_p = {"name": "image", "in": "path", "required": True, "description": "The image's index in the job, from 0.", "schema": {"type": "integer", "minimum": 0}}
busy = {"description": "More upload bytes are in flight than the server takes at once (`--max-inflight`): code upload.busy; try again after Retry-After seconds.", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
def js(ref): return {"application/json": {"schema": {"$ref": "#/components/schemas/" + ref}}}
doc = {
 "openapi": "3.0.3",
 "info": {"title": "Obscura server", "version": "0.1.0",
   "description": "The REST API of `obscura serve`: upload photos, let Obscura find faces (and text, PII, plates), review the regions, and download clean images that hold pixels only. Everything runs on this machine. When the server has a token (always, off loopback), every path except /, /healthz, /openapi.json and /v1/info needs `Authorization: Bearer <token>`; without one, no authentication is asked for. Bound to loopback, the server answers only requests whose Host is a loopback name (localhost, 127.x.x.x, [::1], any port) or its --host; others get 421 `request.host-not-allowed`. A POST, PUT or DELETE whose Origin header is not the server itself (`http://` + Host) gets 403 `request.origin-not-allowed`; clients that send no Origin are not affected. Errors are `{\"error\": {\"code\", \"message\"}}` with a stable code."},
 "servers": [{"url": "http://127.0.0.1:8080"}],
 "security": [{"bearer": []}, {}],
 "paths": {
  "/": {"get": {"summary": "The web page", "security": [], "operationId": "page",
      "responses": {"200": {"description": "A self-contained HTML page (no external resources).", "content": {"text/html": {"schema": {"type": "string"}}}}}}},
  "/healthz": {"get": {"summary": "Liveness check", "security": [], "operationId": "health",
      "responses": {"200": {"description": "The server runs.", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}, "version": {"type": "string"}}}}}}}}},
  "/openapi.json": {"get": {"summary": "This document", "security": [], "operationId": "openapi",
      "responses": {"200": {"description": "OpenAPI 3 document.", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
  "/metrics": {"get": {"summary": "Metrics for operators", "operationId": "metrics",
      "description": "Prometheus text format: `obscura_images{state}` (the queue, every node sharing the store), `obscura_images_processed_total{outcome}` and `obscura_image_failures_total{code}` (this process's workers), `obscura_stage_seconds{stage}` (histogram of decode, detect, redact and encode times) and `obscura_worker_leases` (images this process's workers hold). Labels are states, stages and error codes only.",
      "responses": {"200": {"description": "The metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}, **errs(401, 421)}}},
  "/v1/info": {"get": {"summary": "What a client needs to know first", "security": [], "operationId": "info",
      "responses": {"200": {"description": "The server's version, whether it needs a token, and its limits.", "content": js("Info")}, **errs(421)}}},
  "/v1/jobs": {
    "post": {"summary": "Create a job from one or more images", "operationId": "createJob",
      "description": "Each file part is one image; parts are written to disk as they arrive. Non-images and unsupported formats fail at once (with their error code) and are not stored; the other images are queued. With review=true, images stop after detection until their regions are set (PUT …/regions) or the job is rendered (POST …/render).",
      "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["images"], "properties": {
          "images": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"}, "description": "The photos (JPEG, PNG, WebP, HEIF/HEIC, AVIF, TIFF, GIF). Any field name with a file name counts."},
          "options": {"type": "string", "description": "A JSON object with any of the Options keys; the rest keep their defaults."},
          "review": {"type": "string", "enum": ["true", "false"], "default": "false"},
          "webhook": {"type": "string", "format": "uri", "description": "Called with a signed JSON POST ({event, job}) when the job waits for review (job.review) and when it finishes (job.finished). The host must resolve to loopback addresses only (127.0.0.0/8, ::1, ::ffff:127.x.x.x), checked at creation and again at each call, which connects to the address checked; or be a host the server allows (--webhook-allow). Redirects are not followed: a 3xx answer is a failed call. Needs the server's webhook secret. Header X-Obscura-Signature: sha256=<hex HMAC-SHA256 of the body>. Retried with doubling delays until the server's attempt limit."}}}}}},
      "responses": {"202": {"description": "The job was stored; images are queued.", "headers": {"Location": {"schema": {"type": "string"}}}, "content": js("Job")},
                    **errs(400, 401, 403, 413, 415, 421, 429), "503": busy}},
    "get": {"summary": "List jobs", "operationId": "listJobs",
      "responses": {"200": {"description": "Every job, oldest first.", "content": js("JobList")}, **errs(401, 421)}}},
  "/v1/jobs/{job}": {"parameters": [job_p],
    "get": {"summary": "Job status with per-image progress", "operationId": "getJob",
      "responses": {"200": {"description": "The job.", "content": js("Job")}, **errs(401, 421, 404)}},
    "delete": {"summary": "Delete a job, its originals and its results", "operationId": "deleteJob",
      "responses": {"204": {"description": "Deleted."}, **errs(401, 403, 421, 404)}}},
  "/v1/jobs/{job}/finish": {"parameters": [job_p],
    "post": {"summary": "Finish a job: its regions can no longer change and its originals are deleted", "operationId": "finishJob",
      "description": "A review job keeps its originals after rendering, so regions can be replaced and images rendered again (PUT …/regions), until it is finished or expires. Refused with 409 `job.not-ready` while an image is being worked on or waits for review. Finishing again changes nothing. Results stay until the job is deleted or expires.",
      "responses": {"200": {"description": "The job, finished.", "content": js("Job")}, **errs(401, 403, 404, 409, 421)}}},
  "/v1/jobs/{job}/render": {"parameters": [job_p],
    "post": {"summary": "Render every image waiting for review with the regions it has", "operationId": "renderJob",
      "responses": {"202": {"description": "Those images are queued for rendering.", "content": js("Job")}, **errs(401, 403, 421, 404)}}},
  "/v1/jobs/{job}/results.zip": {"parameters": [job_p],
    "get": {"summary": "Download every finished result as a zip", "operationId": "downloadZip",
      "responses": {"200": {"description": "A zip of the done images.", "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}, **errs(401, 421, 404, 409)}}},
  "/v1/jobs/{job}/images/{image}": {"parameters": [job_p, img_p],
    "delete": {"summary": "Delete one image of a job, its original and its result", "operationId": "deleteImage",
      "description": "The other images keep their numbers. Deleting a job's last image deletes the job.",
      "responses": {"204": {"description": "Deleted."}, **errs(401, 403, 404, 421)}}},
  "/v1/jobs/{job}/images/{image}/regions": {"parameters": [job_p, img_p],
    "get": {"summary": "The regions found (or set) for an image", "operationId": "getRegions",
      "responses": {"200": {"description": "Regions, in pixels of the upright image, before the margin.", "content": js("Regions")}, **errs(401, 421, 404, 409)}},
    "put": {"summary": "Replace an image's regions and render it", "operationId": "replaceRegions",
      "description": "While the image waits for review, or once it is rendered while its job keeps its originals (a review job until POST …/finish or expiry): the image is then rendered again. Regions of kind `manual` are painted exactly as drawn; others get the job's margin and style. Leave a region out to keep that area as it is. More than 1,000 regions are refused with 400 `regions.too-many` before anything is stored.",
      "requestBody": {"required": True, "content": js("RegionsInput")},
      "responses": {"202": {"description": "The regions were stored and the image is queued for rendering.", "content": js("Regions")}, **errs(400, 401, 403, 404, 409, 421)}}},
  "/v1/jobs/{job}/images/{image}/result": {"parameters": [job_p, img_p],
    "get": {"summary": "Download one clean image", "operationId": "downloadResult",
      "responses": {"200": {"description": "The image: pixels only, no metadata.", "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}, "image/png": {"schema": {"type": "string", "format": "binary"}}, "image/webp": {"schema": {"type": "string", "format": "binary"}}}}, **errs(401, 421, 404, 409)}}},
  "/v1/jobs/{job}/images/{image}/preview": {"parameters": [job_p, img_p],
    "get": {"summary": "The unpainted, upright image while its original is kept", "operationId": "getPreview",
      "responses": {"200": {"description": "A JPEG of the pixels only (no metadata), for drawing regions on.", "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}, **errs(401, 421, 404, 409)}}},
  "/v1/jobs/{job}/images/{image}/report": {"parameters": [job_p, img_p],
    "get": {"summary": "The audit record of one rendered image", "operationId": "getReport",
      "responses": {"200": {"description": "The same record as `obscura anonymize --report` writes.", "content": {"application/json": {"schema": {"type": "object"}}}}, **errs(401, 421, 404, 409)}}}
 },
 "components": {
  "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
  "responses": {"Error": {"description": "An error with a stable code.", "content": js("Error")}},
  "schemas": {
   "Error": {"type": "object", "required": ["error"], "properties": {"error": {"$ref": "#/components/schemas/Failure"}}},
   "Failure": {"type": "object", "required": ["code", "message"], "properties": {"code": {"type": "string", "example": "input.undecodable"}, "message": {"type": "string"}}},
   "Box": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4, "description": "[x, y, width, height] in pixels of the upright image."},
   "Region": {"type": "object", "required": ["kind", "box"], "properties": {"kind": {"type": "string", "example": "face", "description": "face, plate, text, pii.… as found, or manual for a region a person drew."}, "box": {"$ref": "#/components/schemas/Box"}, "score": {"type": "number"}, "evidence": {"type": "string", "enum": ["checksum", "checksum-corrected", "label", "format", "rule"], "description": "pii.… regions only: why the text was taken for personal data (a checksum on the text as read, one that passed only after OCR look-alikes were corrected, a field label, its format, a user rule). Set by the detector: a PUT keeps it for a region that is a detected one and drops it otherwise."}}},
   "RegionsInput": {"type": "object", "required": ["regions"], "properties": {"regions": {"type": "array", "maxItems": 1000, "items": {"$ref": "#/components/schemas/Region"}}}},
   "Regions": {"type": "object", "required": ["regions"], "properties": {"state": {"$ref": "#/components/schemas/ImageState"}, "width": {"type": "integer"}, "height": {"type": "integer"}, "regions": {"type": "array", "items": {"$ref": "#/components/schemas/Region"}}, "planned": {"type": "array", "description": "What each region will be painted as, in the order of regions (null for one outside the image); ignored in a PUT.", "items": {"$ref": "#/components/schemas/PlannedRegion"}}, "detected": {"type": "array", "description": "What the detectors found, whatever was changed since (so a region left out can be put back); ignored in a PUT.", "items": {"$ref": "#/components/schemas/Region"}}, "detectedPlanned": {"type": "array", "description": "What each detected region would be painted as.", "items": {"$ref": "#/components/schemas/PlannedRegion"}}, "painted": {"type": "array", "items": {"type": "object"}, "description": "What was painted (margins added, clipped), once rendered: the report's regions."}}},
   "PlannedRegion": {"type": "object", "nullable": True, "required": ["painted", "shape", "style"], "properties": {"painted": {"$ref": "#/components/schemas/Box"}, "shape": {"type": "string", "enum": ["rect", "ellipse"]}, "style": {"type": "string", "enum": ["solid", "pixelate", "blur"]}}},
   "Info": {"type": "object", "required": ["version", "tokenRequired"], "properties": {"version": {"type": "string"}, "tokenRequired": {"type": "boolean"}, "resultLifetime": {"type": "number", "description": "Seconds a job is kept after it is created."}, "maximumImagesPerJob": {"type": "integer"}, "maximumUploadBytes": {"type": "integer"}}},
   "ImageState": {"type": "string", "enum": ["queued", "detecting", "review", "approved", "rendering", "done", "failed"]},
   "JobState": {"type": "string", "enum": ["queued", "running", "review", "finished"]},
   # Made from Sources/Obscura/Options/OptionTable.swift when the server starts: the options are declared there.
   "Options": {"type": "object", "description": "Filled in from OptionTable by the server: GET /openapi.json."},
   "ImageStatus": {"type": "object", "required": ["index", "name", "state"], "properties": {"index": {"type": "integer"}, "name": {"type": "string"}, "state": {"$ref": "#/components/schemas/ImageState"}, "error": {"$ref": "#/components/schemas/Failure"}, "width": {"type": "integer"}, "height": {"type": "integer"}, "regions": {"type": "integer"}, "resultName": {"type": "string"}, "result": {"type": "string"}}},
   "Job": {"type": "object", "required": ["id", "state", "review", "createdAt", "expiresAt", "originalsKept", "options", "progress", "images", "results"], "properties": {
       "id": {"type": "string", "format": "uuid"}, "state": {"$ref": "#/components/schemas/JobState"}, "review": {"type": "boolean"},
       "createdAt": {"type": "string", "format": "date-time"}, "expiresAt": {"type": "string", "format": "date-time"},
       "finishedAt": {"type": "string", "format": "date-time", "description": "When the client finished the job (POST …/finish)."},
       "originalsKept": {"type": "boolean", "description": "True while the originals are kept (a review job until finished or expired): done images can get new regions and be rendered again."},
       "options": {"$ref": "#/components/schemas/Options"},
       "webhook": {"$ref": "#/components/schemas/Webhook"},
       "progress": {"type": "object", "properties": {"total": {"type": "integer"}, "pending": {"type": "integer"}, "review": {"type": "integer"}, "done": {"type": "integer"}, "failed": {"type": "integer"}}},
       "images": {"type": "array", "items": {"$ref": "#/components/schemas/ImageStatus"}}, "results": {"type": "string"}}},
   "Webhook": {"type": "object", "required": ["url", "attempts"], "properties": {"url": {"type": "string"}, "event": {"type": "string", "enum": ["job.review", "job.finished"]}, "state": {"type": "string", "enum": ["pending", "delivered", "failed"]}, "attempts": {"type": "integer"}}},
   "JobList": {"type": "object", "properties": {"jobs": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "state": {"$ref": "#/components/schemas/JobState"}, "images": {"type": "integer"}, "createdAt": {"type": "string", "format": "date-time"}}}}}}
  }
 }
}
text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
path = os.path.join(ROOT, 'Sources/ObscuraServer/API/openapi.json')
if '--check' in sys.argv[1:]:
    with open(path, encoding='utf-8') as committed:
        if committed.read() != text:
            sys.exit(f"{path} is not what scripts/openapi.py writes: run scripts/openapi.py")
    sys.exit(0)
with open(path, 'w', encoding='utf-8') as out:
    out.write(text)
