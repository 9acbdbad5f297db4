//! Request parameters: every route takes the same parameters from the query
//! string (`GET`) or from a JSON body (`POST`); lists are comma-separated
//! text in a query string and either text or arrays in JSON.

use std::fmt::Display;
use std::str::FromStr;

use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use reach_engine::Crs;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;

/// Parameters from the query string, or from the JSON body of a `POST`.
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if request.method() == Method::POST {
            let Json(value) = Json::<T>::from_request(request, state).await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::body_too_large()
                } else {
                    ApiError::bad_request(format!("the JSON body: {}", e.body_text()))
                }
            })?;
            Ok(Params(value))
        } else {
            let Query(value) = Query::<T>::try_from_uri(request.uri())
                .map_err(|e| ApiError::bad_request(format!("the query string: {}", e.body_text())))?;
            Ok(Params(value))
        }
    }
}

/// The coordinate system of a request's positions and of its answer, from
/// `crs=` in the query string (for `POST` too): `wgs84` (default), `gcj02`
/// or `bd09`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestCrs(pub Crs);

impl<S: Send + Sync> FromRequestParts<S> for RequestCrs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let asked = parts.uri.query().into_iter().flat_map(|q| q.split('&')).find_map(|pair| pair.strip_prefix("crs="));
        match asked {
            None => Ok(RequestCrs(Crs::Wgs84)),
            Some(text) => text.parse().map(RequestCrs).map_err(ApiError::bad_request),
        }
    }
}

/// A list given as comma-separated text or as a JSON array.
#[derive(Deserialize)]
#[serde(untagged)]
enum TextOrArray {
    Text(String),
    Array(Vec<serde_json::Value>),
}

/// Deserializes a list of `T` from `"a,b"` or `["a", "b"]` (numbers too).
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let items: Vec<String> = match TextOrArray::deserialize(deserializer)? {
        TextOrArray::Text(text) => text.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        TextOrArray::Array(values) => values
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
    };
    items.iter().map(|item| item.parse::<T>().map_err(|e| serde::de::Error::custom(format!("{item:?}: {e}")))).collect()
}

/// The default contours, 10 and 15 minutes.
pub fn default_minutes() -> Vec<f64> {
    vec![10.0, 15.0]
}

/// Which way riders travel relative to the start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DirectionParam {
    /// The time a rider needs to reach the start (reverse graph).
    #[default]
    To,
    /// The time from the start outwards.
    From,
}

impl DirectionParam {
    /// The engine's direction.
    pub fn search(self) -> reach_engine::search::Direction {
        match self {
            DirectionParam::To => reach_engine::search::Direction::Reverse,
            DirectionParam::From => reach_engine::search::Direction::Forward,
        }
    }
}
