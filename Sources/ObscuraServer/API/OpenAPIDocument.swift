// Written by scripts/openapi.py, with docs/openapi.json (ServeTests checks the two are equal).

/// The OpenAPI 3 description of the API, served at `/openapi.json`.
enum OpenAPIDocument {
    static let json = #"""
{
  "components": {
    "responses": {
      "Error": {
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        },
        "description": "An error with a stable code."
      }
    },
    "schemas": {
      "Box": {
        "description": "[x, y, width, height] in pixels of the upright image.",
        "items": {
          "type": "number"
        },
        "maxItems": 4,
        "minItems": 4,
        "type": "array"
      },
      "Error": {
        "properties": {
          "error": {
            "$ref": "#/components/schemas/Failure"
          }
        },
        "required": [
          "error"
        ],
        "type": "object"
      },
      "Failure": {
        "properties": {
          "code": {
            "example": "input.undecodable",
            "type": "string"
          },
          "message": {
            "type": "string"
          }
        },
        "required": [
          "code",
          "message"
        ],
        "type": "object"
      },
      "ImageState": {
        "enum": [
          "queued",
          "detecting",
          "review",
          "approved",
          "rendering",
          "done",
          "failed"
        ],
        "type": "string"
      },
      "ImageStatus": {
        "properties": {
          "error": {
            "$ref": "#/components/schemas/Failure"
          },
          "height": {
            "type": "integer"
          },
          "index": {
            "type": "integer"
          },
          "name": {
            "type": "string"
          },
          "regions": {
            "type": "integer"
          },
          "result": {
            "type": "string"
          },
          "resultName": {
            "type": "string"
          },
          "state": {
            "$ref": "#/components/schemas/ImageState"
          },
          "width": {
            "type": "integer"
          }
        },
        "required": [
          "index",
          "name",
          "state"
        ],
        "type": "object"
      },
      "Info": {
        "properties": {
          "maximumImagesPerJob": {
            "type": "integer"
          },
          "maximumUploadBytes": {
            "type": "integer"
          },
          "resultLifetime": {
            "description": "Seconds a job is kept after it is created.",
            "type": "number"
          },
          "tokenRequired": {
            "type": "boolean"
          },
          "version": {
            "type": "string"
          }
        },
        "required": [
          "version",
          "tokenRequired"
        ],
        "type": "object"
      },
      "Job": {
        "properties": {
          "createdAt": {
            "format": "date-time",
            "type": "string"
          },
          "expiresAt": {
            "format": "date-time",
            "type": "string"
          },
          "finishedAt": {
            "description": "When the client finished the job (POST …/finish).",
            "format": "date-time",
            "type": "string"
          },
          "id": {
            "format": "uuid",
            "type": "string"
          },
          "images": {
            "items": {
              "$ref": "#/components/schemas/ImageStatus"
            },
            "type": "array"
          },
          "options": {
            "$ref": "#/components/schemas/Options"
          },
          "originalsKept": {
            "description": "True while the originals are kept (a review job until finished or expired): done images can get new regions and be rendered again.",
            "type": "boolean"
          },
          "progress": {
            "properties": {
              "done": {
                "type": "integer"
              },
              "failed": {
                "type": "integer"
              },
              "pending": {
                "type": "integer"
              },
              "review": {
                "type": "integer"
              },
              "total": {
                "type": "integer"
              }
            },
            "type": "object"
          },
          "results": {
            "type": "string"
          },
          "review": {
            "type": "boolean"
          },
          "state": {
            "$ref": "#/components/schemas/JobState"
          },
          "webhook": {
            "$ref": "#/components/schemas/Webhook"
          }
        },
        "required": [
          "id",
          "state",
          "review",
          "createdAt",
          "expiresAt",
          "originalsKept",
          "options",
          "progress",
          "images",
          "results"
        ],
        "type": "object"
      },
      "JobList": {
        "properties": {
          "jobs": {
            "items": {
              "properties": {
                "createdAt": {
                  "format": "date-time",
                  "type": "string"
                },
                "id": {
                  "type": "string"
                },
                "images": {
                  "type": "integer"
                },
                "state": {
                  "$ref": "#/components/schemas/JobState"
                }
              },
              "type": "object"
            },
            "type": "array"
          }
        },
        "type": "object"
      },
      "JobState": {
        "enum": [
          "queued",
          "running",
          "review",
          "finished"
        ],
        "type": "string"
      },
      "Options": {
        "additionalProperties": false,
        "description": "AnonymizeOptions, as `obscura anonymize` takes them and the report records them.",
        "properties": {
          "cellsAcross": {
            "default": 6,
            "maximum": 64,
            "minimum": 1,
            "type": "integer"
          },
          "detect": {
            "default": [
              "faces"
            ],
            "items": {
              "enum": [
                "faces",
                "text",
                "pii",
                "plates"
              ],
              "type": "string"
            },
            "type": "array"
          },
          "fill": {
            "default": "000000",
            "pattern": "^[0-9a-fA-F]{6}$",
            "type": "string"
          },
          "format": {
            "default": "keep",
            "enum": [
              "keep",
              "jpeg",
              "png",
              "webp"
            ],
            "type": "string"
          },
          "margin": {
            "default": 0.25,
            "maximum": 2,
            "minimum": 0,
            "type": "number"
          },
          "minimumFace": {
            "default": 10,
            "maximum": 400,
            "minimum": 5,
            "type": "integer"
          },
          "overwrite": {
            "default": false,
            "type": "boolean"
          },
          "piiPatterns": {
            "default": [],
            "items": {
              "type": "string"
            },
            "type": "array"
          },
          "plateEvidence": {
            "default": [
              "text",
              "cascade"
            ],
            "items": {
              "enum": [
                "text",
                "cascade"
              ],
              "type": "string"
            },
            "type": "array"
          },
          "quality": {
            "maximum": 100,
            "minimum": 1,
            "type": "integer"
          },
          "shape": {
            "default": "ellipse",
            "enum": [
              "rect",
              "ellipse"
            ],
            "type": "string"
          },
          "style": {
            "default": "pixelate",
            "enum": [
              "solid",
              "pixelate",
              "blur"
            ],
            "type": "string"
          },
          "textStyle": {
            "default": "solid",
            "enum": [
              "solid",
              "pixelate",
              "blur"
            ],
            "type": "string"
          },
          "threshold": {
            "default": 0.2,
            "maximum": 1,
            "minimum": 0.01,
            "type": "number"
          },
          "verify": {
            "default": false,
            "type": "boolean"
          }
        },
        "type": "object"
      },
      "PlannedRegion": {
        "nullable": true,
        "properties": {
          "painted": {
            "$ref": "#/components/schemas/Box"
          },
          "shape": {
            "enum": [
              "rect",
              "ellipse"
            ],
            "type": "string"
          },
          "style": {
            "enum": [
              "solid",
              "pixelate",
              "blur"
            ],
            "type": "string"
          }
        },
        "required": [
          "painted",
          "shape",
          "style"
        ],
        "type": "object"
      },
      "Region": {
        "properties": {
          "box": {
            "$ref": "#/components/schemas/Box"
          },
          "kind": {
            "description": "face, plate, text, pii.… as found, or manual for a region a person drew.",
            "example": "face",
            "type": "string"
          },
          "score": {
            "type": "number"
          }
        },
        "required": [
          "kind",
          "box"
        ],
        "type": "object"
      },
      "Regions": {
        "properties": {
          "detected": {
            "description": "What the detectors found, whatever was changed since (so a region left out can be put back); ignored in a PUT.",
            "items": {
              "$ref": "#/components/schemas/Region"
            },
            "type": "array"
          },
          "detectedPlanned": {
            "description": "What each detected region would be painted as.",
            "items": {
              "$ref": "#/components/schemas/PlannedRegion"
            },
            "type": "array"
          },
          "height": {
            "type": "integer"
          },
          "painted": {
            "description": "What was painted (margins added, clipped), once rendered: the report's regions.",
            "items": {
              "type": "object"
            },
            "type": "array"
          },
          "planned": {
            "description": "What each region will be painted as, in the order of regions (null for one outside the image); ignored in a PUT.",
            "items": {
              "$ref": "#/components/schemas/PlannedRegion"
            },
            "type": "array"
          },
          "regions": {
            "items": {
              "$ref": "#/components/schemas/Region"
            },
            "type": "array"
          },
          "state": {
            "$ref": "#/components/schemas/ImageState"
          },
          "width": {
            "type": "integer"
          }
        },
        "required": [
          "regions"
        ],
        "type": "object"
      },
      "RegionsInput": {
        "properties": {
          "regions": {
            "items": {
              "$ref": "#/components/schemas/Region"
            },
            "maxItems": 1000,
            "type": "array"
          }
        },
        "required": [
          "regions"
        ],
        "type": "object"
      },
      "Webhook": {
        "properties": {
          "attempts": {
            "type": "integer"
          },
          "event": {
            "enum": [
              "job.review",
              "job.finished"
            ],
            "type": "string"
          },
          "state": {
            "enum": [
              "pending",
              "delivered",
              "failed"
            ],
            "type": "string"
          },
          "url": {
            "type": "string"
          }
        },
        "required": [
          "url",
          "attempts"
        ],
        "type": "object"
      }
    },
    "securitySchemes": {
      "bearer": {
        "scheme": "bearer",
        "type": "http"
      }
    }
  },
  "info": {
    "description": "The REST API of `obscura serve`: upload photos, let Obscura find faces (and text, PII, plates), review the regions, and download clean images that hold pixels only. Everything runs on this machine. When the server has a token (always, off loopback), every path except /, /healthz, /openapi.json and /v1/info needs `Authorization: Bearer <token>`; without one, no authentication is asked for. Bound to loopback, the server answers only requests whose Host is a loopback name (localhost, 127.x.x.x, [::1], any port) or its --host; others get 421 `request.host-not-allowed`. A POST, PUT or DELETE whose Origin header is not the server itself (`http://` + Host) gets 403 `request.origin-not-allowed`; clients that send no Origin are not affected. Errors are `{\"error\": {\"code\", \"message\"}}` with a stable code.",
    "title": "Obscura server",
    "version": "0.1.0"
  },
  "openapi": "3.0.3",
  "paths": {
    "/": {
      "get": {
        "operationId": "page",
        "responses": {
          "200": {
            "content": {
              "text/html": {
                "schema": {
                  "type": "string"
                }
              }
            },
            "description": "A self-contained HTML page (no external resources)."
          }
        },
        "security": [],
        "summary": "The web page"
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "properties": {
                    "status": {
                      "type": "string"
                    },
                    "version": {
                      "type": "string"
                    }
                  },
                  "type": "object"
                }
              }
            },
            "description": "The server runs."
          }
        },
        "security": [],
        "summary": "Liveness check"
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            },
            "description": "OpenAPI 3 document."
          }
        },
        "security": [],
        "summary": "This document"
      }
    },
    "/v1/info": {
      "get": {
        "operationId": "info",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Info"
                }
              }
            },
            "description": "The server's version, whether it needs a token, and its limits."
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "security": [],
        "summary": "What a client needs to know first"
      }
    },
    "/v1/jobs": {
      "get": {
        "operationId": "listJobs",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/JobList"
                }
              }
            },
            "description": "Every job, oldest first."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "List jobs"
      },
      "post": {
        "description": "Each file part is one image; parts are written to disk as they arrive. Non-images and unsupported formats fail at once (with their error code) and are not stored; the other images are queued. With review=true, images stop after detection until their regions are set (PUT …/regions) or the job is rendered (POST …/render).",
        "operationId": "createJob",
        "requestBody": {
          "content": {
            "multipart/form-data": {
              "schema": {
                "properties": {
                  "images": {
                    "description": "The photos (JPEG, PNG, WebP, HEIF/HEIC, AVIF, TIFF, GIF). Any field name with a file name counts.",
                    "items": {
                      "format": "binary",
                      "type": "string"
                    },
                    "minItems": 1,
                    "type": "array"
                  },
                  "options": {
                    "description": "A JSON object with any of the Options keys; the rest keep their defaults.",
                    "type": "string"
                  },
                  "review": {
                    "default": "false",
                    "enum": [
                      "true",
                      "false"
                    ],
                    "type": "string"
                  },
                  "webhook": {
                    "description": "Called with a signed JSON POST ({event, job}) when the job waits for review (job.review) and when it finishes (job.finished). The host must resolve to loopback addresses only (127.0.0.0/8, ::1, ::ffff:127.x.x.x), checked at creation and again at each call, which connects to the address checked; or be a host the server allows (--webhook-allow). Redirects are not followed: a 3xx answer is a failed call. Needs the server's webhook secret. Header X-Obscura-Signature: sha256=<hex HMAC-SHA256 of the body>. Retried with doubling delays until the server's attempt limit.",
                    "format": "uri",
                    "type": "string"
                  }
                },
                "required": [
                  "images"
                ],
                "type": "object"
              }
            }
          },
          "required": true
        },
        "responses": {
          "202": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "The job was stored; images are queued.",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "413": {
            "$ref": "#/components/responses/Error"
          },
          "415": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          },
          "429": {
            "$ref": "#/components/responses/Error"
          },
          "503": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            },
            "description": "More upload bytes are in flight than the server takes at once (`--max-inflight`): code upload.busy; try again after Retry-After seconds.",
            "headers": {
              "Retry-After": {
                "schema": {
                  "type": "integer"
                }
              }
            }
          }
        },
        "summary": "Create a job from one or more images"
      }
    },
    "/v1/jobs/{job}": {
      "delete": {
        "operationId": "deleteJob",
        "responses": {
          "204": {
            "description": "Deleted."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Delete a job, its originals and its results"
      },
      "get": {
        "operationId": "getJob",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "The job."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Job status with per-image progress"
      },
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        }
      ]
    },
    "/v1/jobs/{job}/finish": {
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        }
      ],
      "post": {
        "description": "A review job keeps its originals after rendering, so regions can be replaced and images rendered again (PUT …/regions), until it is finished or expires. Refused with 409 `job.not-ready` while an image is being worked on or waits for review. Finishing again changes nothing. Results stay until the job is deleted or expires.",
        "operationId": "finishJob",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "The job, finished."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Finish a job: its regions can no longer change and its originals are deleted"
      }
    },
    "/v1/jobs/{job}/images/{image}": {
      "delete": {
        "description": "The other images keep their numbers. Deleting a job's last image deletes the job.",
        "operationId": "deleteImage",
        "responses": {
          "204": {
            "description": "Deleted."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Delete one image of a job, its original and its result"
      },
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        },
        {
          "description": "The image's index in the job, from 0.",
          "in": "path",
          "name": "image",
          "required": true,
          "schema": {
            "minimum": 0,
            "type": "integer"
          }
        }
      ]
    },
    "/v1/jobs/{job}/images/{image}/preview": {
      "get": {
        "operationId": "getPreview",
        "responses": {
          "200": {
            "content": {
              "image/jpeg": {
                "schema": {
                  "format": "binary",
                  "type": "string"
                }
              }
            },
            "description": "A JPEG of the pixels only (no metadata), for drawing regions on."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "The unpainted, upright image while its original is kept"
      },
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        },
        {
          "description": "The image's index in the job, from 0.",
          "in": "path",
          "name": "image",
          "required": true,
          "schema": {
            "minimum": 0,
            "type": "integer"
          }
        }
      ]
    },
    "/v1/jobs/{job}/images/{image}/regions": {
      "get": {
        "operationId": "getRegions",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Regions"
                }
              }
            },
            "description": "Regions, in pixels of the upright image, before the margin."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "The regions found (or set) for an image"
      },
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        },
        {
          "description": "The image's index in the job, from 0.",
          "in": "path",
          "name": "image",
          "required": true,
          "schema": {
            "minimum": 0,
            "type": "integer"
          }
        }
      ],
      "put": {
        "description": "While the image waits for review, or once it is rendered while its job keeps its originals (a review job until POST …/finish or expiry): the image is then rendered again. Regions of kind `manual` are painted exactly as drawn; others get the job's margin and style. Leave a region out to keep that area as it is. More than 1,000 regions are refused with 400 `regions.too-many` before anything is stored.",
        "operationId": "replaceRegions",
        "requestBody": {
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/RegionsInput"
              }
            }
          },
          "required": true
        },
        "responses": {
          "202": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Regions"
                }
              }
            },
            "description": "The regions were stored and the image is queued for rendering."
          },
          "400": {
            "$ref": "#/components/responses/Error"
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Replace an image's regions and render it"
      }
    },
    "/v1/jobs/{job}/images/{image}/report": {
      "get": {
        "operationId": "getReport",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            },
            "description": "The same record as `obscura anonymize --report` writes."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "The audit record of one rendered image"
      },
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        },
        {
          "description": "The image's index in the job, from 0.",
          "in": "path",
          "name": "image",
          "required": true,
          "schema": {
            "minimum": 0,
            "type": "integer"
          }
        }
      ]
    },
    "/v1/jobs/{job}/images/{image}/result": {
      "get": {
        "operationId": "downloadResult",
        "responses": {
          "200": {
            "content": {
              "image/jpeg": {
                "schema": {
                  "format": "binary",
                  "type": "string"
                }
              },
              "image/png": {
                "schema": {
                  "format": "binary",
                  "type": "string"
                }
              },
              "image/webp": {
                "schema": {
                  "format": "binary",
                  "type": "string"
                }
              }
            },
            "description": "The image: pixels only, no metadata."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Download one clean image"
      },
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        },
        {
          "description": "The image's index in the job, from 0.",
          "in": "path",
          "name": "image",
          "required": true,
          "schema": {
            "minimum": 0,
            "type": "integer"
          }
        }
      ]
    },
    "/v1/jobs/{job}/render": {
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        }
      ],
      "post": {
        "operationId": "renderJob",
        "responses": {
          "202": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Job"
                }
              }
            },
            "description": "Those images are queued for rendering."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "403": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Render every image waiting for review with the regions it has"
      }
    },
    "/v1/jobs/{job}/results.zip": {
      "get": {
        "operationId": "downloadZip",
        "responses": {
          "200": {
            "content": {
              "application/zip": {
                "schema": {
                  "format": "binary",
                  "type": "string"
                }
              }
            },
            "description": "A zip of the done images."
          },
          "401": {
            "$ref": "#/components/responses/Error"
          },
          "404": {
            "$ref": "#/components/responses/Error"
          },
          "409": {
            "$ref": "#/components/responses/Error"
          },
          "421": {
            "$ref": "#/components/responses/Error"
          }
        },
        "summary": "Download every finished result as a zip"
      },
      "parameters": [
        {
          "in": "path",
          "name": "job",
          "required": true,
          "schema": {
            "format": "uuid",
            "type": "string"
          }
        }
      ]
    }
  },
  "security": [
    {
      "bearer": []
    },
    {}
  ],
  "servers": [
    {
      "url": "http://127.0.0.1:8080"
    }
  ]
}
"""#
}
