//! The HTML site. Plain forms that work without JavaScript; every write form is a
//! `CsrfForm`; visitors can read everything and are asked to sign in or join to write.

use actix_web::{HttpResponse, web};

use crate::error::{AppError, AppResult, Code};

/// A form struct whose fields all default to empty strings, with its `csrf_token`.
macro_rules! csrf_form {
    ($name:ident { $($field:ident),* $(,)? }) => {
        #[derive(serde::Deserialize)]
        pub struct $name {
            #[serde(default)]
            csrf_token: String,
            $(#[serde(default)] $field: String,)*
        }

        impl $crate::auth::HasCsrf for $name {
            fn csrf_token(&self) -> &str {
                &self.csrf_token
            }
        }
    };
}

mod auth;
mod avatars;
mod badges;
mod comments;
mod discussions;
mod follows;
mod home;
mod ideas;
mod insights;
mod leaderboard;
mod live;
mod me;
mod members;
mod moderation;
mod notifications;
mod polls;
mod quizzes;
mod recognition;
pub mod render;
mod search;
mod settings;
mod subscriptions;
mod updates;
mod votes;
mod webhooks;

/// Every page and form, in one list (handlers share their names with the API's: a
/// resource's file, then `show`, `create`, `edit`, `delete`…).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route("/zones/{slug}", web::get().to(home::zone))
        .route("/new", web::get().to(discussions::choose_zone))
        .route("/zones/{slug}/new", web::get().to(discussions::new_form))
        .route(
            "/zones/{slug}/discussions",
            web::post().to(discussions::create),
        )
        .route("/discussions/{id}", web::get().to(discussions::show))
        .route(
            "/{kind:discussions|comments|questions}/{id}/flag",
            web::get().to(moderation::flag_form),
        )
        .route(
            "/{kind:discussions|comments|questions}/{id}/flag",
            web::post().to(moderation::flag),
        )
        .route(
            "/{kind:discussions|comments}/{id}/revisions",
            web::get().to(moderation::revisions),
        )
        .route(
            "/discussions/{id}/edit",
            web::get().to(discussions::edit_form),
        )
        .route("/discussions/{id}/edit", web::post().to(discussions::edit))
        // After the edit form's address, which it would take for a slug.
        .route(
            "/discussions/{id}/{slug}",
            web::get().to(discussions::show_slug),
        )
        .route(
            "/discussions/{id}/delete",
            web::post().to(discussions::delete),
        )
        .route(
            "/discussions/{id}/moderate",
            web::post().to(discussions::moderate),
        )
        .route(
            "/discussions/{id}/comments",
            web::post().to(comments::create),
        )
        .route("/comments/{id}/edit", web::get().to(comments::edit_form))
        .route("/comments/{id}/edit", web::post().to(comments::edit))
        .route("/comments/{id}/delete", web::post().to(comments::delete))
        .route(
            "/discussions/{id}/vote",
            web::post().to(votes::vote_discussion),
        )
        .route("/comments/{id}/vote", web::post().to(votes::vote_comment))
        .route(
            "/discussions/{id}/recognize",
            web::post().to(recognition::recognize_discussion),
        )
        .route(
            "/comments/{id}/recognize",
            web::post().to(recognition::recognize_comment),
        )
        .route("/discussions/{id}/poll/vote", web::post().to(polls::vote))
        .route("/discussions/{id}/idea", web::post().to(ideas::set))
        .route("/ideas", web::get().to(ideas::board))
        .route("/insights", web::get().to(insights::show))
        .route(
            "/discussions/{id}/subscription",
            web::post().to(subscriptions::update),
        )
        .route(
            "/unsubscribe/{token}",
            web::get().to(subscriptions::unsubscribe_page),
        )
        .route(
            "/unsubscribe/{token}",
            web::post().to(subscriptions::unsubscribe),
        )
        .route("/members/{username}", web::get().to(members::profile))
        .route(
            "/members/{username}/suspension",
            web::post().to(moderation::suspend),
        )
        .route(
            "/members/{username}/suspension/lift",
            web::post().to(moderation::lift),
        )
        .route("/review", web::get().to(moderation::review))
        .route("/review/{id}", web::post().to(moderation::decide))
        .route("/admin/audit", web::get().to(moderation::audit_log))
        .route("/admin/settings", web::get().to(moderation::settings))
        .route("/admin/webhooks", web::get().to(webhooks::list))
        .route("/admin/webhooks", web::post().to(webhooks::create))
        .route(
            "/admin/webhooks/{id}/active",
            web::post().to(webhooks::set_active),
        )
        .route(
            "/admin/webhooks/{id}/delete",
            web::post().to(webhooks::delete),
        )
        .route(
            "/admin/settings",
            web::post().to(moderation::update_settings),
        )
        .route(
            "/members/{username}/avatar.svg",
            web::get().to(avatars::avatar),
        )
        .route(
            "/members/{username}/avatar.png",
            web::get().to(avatars::picture),
        )
        .route("/settings", web::get().to(settings::show))
        .route("/settings", web::post().to(settings::update))
        .route("/settings/avatar", web::post().to(avatars::upload))
        .route("/settings/avatar/remove", web::post().to(avatars::remove))
        .route("/leaderboard", web::get().to(leaderboard::show))
        .route("/badges", web::get().to(badges::list))
        .route("/notifications", web::get().to(notifications::list))
        .route(
            "/notifications/read",
            web::post().to(notifications::mark_read),
        )
        .route("/following", web::get().to(follows::feed))
        .route(
            "/members/{username}/follow",
            web::post().to(follows::member),
        )
        .route("/zones/{slug}/follow", web::post().to(follows::zone))
        .route("/quizzes/{id}", web::get().to(quizzes::show))
        .route("/quizzes/{id}/attempts", web::post().to(quizzes::take))
        .route("/quizzes/{id}/results", web::get().to(quizzes::results))
        .route(
            "/zones/{slug}/quizzes/new",
            web::get().to(quizzes::new_form),
        )
        .route("/zones/{slug}/quizzes", web::post().to(quizzes::create))
        .route("/sessions/{id}", web::get().to(live::show))
        .route("/sessions/{id}/questions", web::post().to(live::ask))
        .route("/questions/{id}/upvote", web::post().to(live::upvote))
        .route("/questions/{id}/answer", web::post().to(live::answer))
        .route("/questions/{id}/pin", web::post().to(live::pin))
        .route("/questions/{id}/dismiss", web::post().to(live::dismiss))
        .route("/zones/{slug}/sessions/new", web::get().to(live::new_form))
        .route("/zones/{slug}/sessions", web::post().to(live::create))
        .route("/updates", web::get().to(updates::list))
        .route("/updates", web::post().to(updates::create))
        .route("/updates/{id:\\d+}", web::get().to(updates::show))
        .route("/updates/{id:\\d+}/pulse", web::post().to(updates::pulse))
        .route("/search", web::get().to(search::page))
        .route("/join", web::get().to(auth::join_form))
        .route("/join", web::post().to(auth::join))
        .route("/signin", web::get().to(auth::signin_form))
        .route("/signin", web::post().to(auth::signin))
        .route("/signout", web::post().to(auth::signout))
        .route("/auth/sso", web::get().to(auth::sso_start))
        .route("/auth/sso/callback", web::get().to(auth::sso_callback))
        .route("/verify-email", web::get().to(auth::verify_form))
        .route("/verify-email", web::post().to(auth::verify))
        .route("/verify-email/resend", web::post().to(auth::resend))
        .route("/forgot-password", web::get().to(auth::forgot_form))
        .route("/forgot-password", web::post().to(auth::forgot))
        .route("/reset-password", web::get().to(auth::reset_form))
        .route("/reset-password", web::post().to(auth::reset))
        .route("/account", web::get().to(me::show))
        .route("/account/password", web::post().to(me::change_password))
        .route("/account/email", web::post().to(me::change_email))
        .route("/account/username", web::post().to(me::change_username))
        .route(
            "/account/sessions/{id}/revoke",
            web::post().to(me::revoke_session),
        )
        .route(
            "/account/sessions/revoke",
            web::post().to(me::revoke_other_sessions),
        )
        .route("/account/export", web::get().to(me::export))
        .route("/account/delete", web::post().to(me::delete))
        .route(
            "/members/{username}/role",
            web::post().to(members::set_role),
        )
        .default_service(web::to(not_found));
}

async fn not_found() -> AppResult<HttpResponse> {
    Err(AppError::coded(
        Code::NotFound,
        "We could not find that page",
    ))
}
