//! Every failure of the API as a JSON body `{ "error": code, "message": text }`
//! with a 4xx or 5xx status: never a dropped connection.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API failure: status, a stable machine-readable code, and a message
/// that names the value and the limit.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable code: `bad_request`, `limit_exceeded`, `not_found`,
    /// `not_on_network`, `unauthorized`, `writes_disabled`, `loading`,
    /// `overloaded`, `timeout`, `internal`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    /// A request that cannot be answered as asked (400).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "bad_request", message: message.into() }
    }

    /// A request over a documented limit (400, or 413 for bodies).
    pub fn limit(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "limit_exceeded", message: message.into() }
    }

    /// A request body over the limit (413).
    pub fn body_too_large() -> ApiError {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "limit_exceeded",
            message: "the request body is over the body_bytes limit (see /api/v1/meta)".into(),
        }
    }

    /// Something that does not exist (404).
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into() }
    }

    /// A point that cannot join the road network (422).
    pub fn not_on_network(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, code: "not_on_network", message: message.into() }
    }

    /// A write without the right token (401), or with writes off (403).
    pub fn unauthorized(writes_enabled: bool) -> ApiError {
        if writes_enabled {
            ApiError {
                status: StatusCode::UNAUTHORIZED,
                code: "unauthorized",
                message: "this write needs the header Authorization: Bearer <admin token>".into(),
            }
        } else {
            ApiError {
                status: StatusCode::FORBIDDEN,
                code: "writes_disabled",
                message: "writes are off: start the server with --admin-token or REACH_ADMIN_TOKEN".into(),
            }
        }
    }

    /// The data is still loading (503).
    pub fn loading() -> ApiError {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "loading",
            message: "the extract is still loading; /ready says when it is done".into(),
        }
    }

    /// A failure of ours (500).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError { status: StatusCode::INTERNAL_SERVER_ERROR, code: "internal", message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::info!(status = self.status.as_u16(), code = self.code, message = %self.message, "refused");
        (self.status, Json(json!({ "error": self.code, "message": self.message }))).into_response()
    }
}

impl From<reach_engine::isochrone::IsochroneError> for ApiError {
    fn from(error: reach_engine::isochrone::IsochroneError) -> ApiError {
        use reach_engine::isochrone::IsochroneError as E;
        match error {
            E::TooManyContours { .. } | E::GridTooLarge { .. } => ApiError::limit(error.to_string()),
            E::Unsnapped { .. } => ApiError::not_on_network(error.to_string()),
            _ => ApiError::bad_request(error.to_string()),
        }
    }
}
