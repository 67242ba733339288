//! Quorum: a community-of-practice forum for the inside of a company.

pub mod auth;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod extract;
pub mod jobs;
pub mod keys;
pub mod live;
pub mod mail;
pub mod markdown;
pub mod routes;
pub mod search;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod templates;
pub mod views;
