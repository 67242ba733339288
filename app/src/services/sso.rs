//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, through
//! the `openidconnect` crate. Discovery gives the provider's endpoints and keys; the ID
//! token's signature, issuer, audience, expiry and nonce are checked; the state binds
//! the answer to the browser that asked (a signed, short-lived cookie holds state, nonce
//! and PKCE verifier, so any app instance can finish what another began).
//!
//! A verified `email` claim signs the person in: to the member linked to the provider's
//! `sub`, else to the member with that address (who is linked from then on), else to a
//! new member whose username is proposed from the claims.

use base64::Engine;
use chrono::Utc;
use entity::member;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use super::accounts::{Deps, SignedIn, insert_member};
use super::sessions::{self, Origin, SessionKind};
use crate::config::OidcSettings;
use crate::domain::{Email, Username};
use crate::error::{AppError, AppResult, Code};

/// How long a sign-in may take at the provider.
const FLOW_MINUTES: i64 = 10;
/// The name of the cookie that carries the flow between the two legs.
pub const FLOW_COOKIE: &str = "quorum_sso";

/// What the browser carries from the start of the flow to its end (signed).
#[derive(Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
    expires: i64,
}

fn failed(message: impl Into<String>) -> AppError {
    AppError::coded(Code::SsoFailed, message)
}

fn settings(deps: Deps<'_>) -> AppResult<OidcSettings> {
    deps.settings
        .oidc()
        .ok_or_else(|| AppError::not_found("Single sign-on"))
}

pub fn redirect_uri(deps: Deps<'_>) -> String {
    format!("{}/auth/sso/callback", deps.settings.base_url())
}

fn http() -> AppResult<openidconnect::reqwest::Client> {
    openidconnect::reqwest::ClientBuilder::new()
        // The provider's answers are read as they are; following redirects from a token
        // endpoint would be an SSRF hole.
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| AppError::internal(anyhow::anyhow!("building the OIDC HTTP client: {e}")))
}

async fn client(
    deps: Deps<'_>,
    http: &openidconnect::reqwest::Client,
) -> AppResult<
    CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
> {
    let oidc = settings(deps)?;
    let issuer = IssuerUrl::new(oidc.issuer.clone())
        .map_err(|e| AppError::internal(anyhow::anyhow!("QUORUM_OIDC_ISSUER: {e}")))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "OpenID Connect discovery failed");
            AppError::unavailable("The single sign-on provider does not answer; try again later")
        })?;
    let redirect = RedirectUrl::new(redirect_uri(deps))
        .map_err(|e| AppError::internal(anyhow::anyhow!("the SSO redirect URL: {e}")))?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.client_id),
        oidc.client_secret.map(ClientSecret::new),
    )
    .set_redirect_uri(redirect))
}

/// Starts a sign-in: the provider's address to send the browser to, and the value of
/// the flow cookie to hand it.
pub async fn begin(deps: Deps<'_>, next: &str) -> AppResult<(String, String)> {
    let http = http()?;
    let client = client(deps, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let flow = Flow {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next: next.to_string(),
        expires: Utc::now().timestamp() + FLOW_MINUTES * 60,
    };
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&flow)
            .map_err(|e| AppError::internal(anyhow::anyhow!("encoding the SSO flow: {e}")))?,
    );
    let sig = crate::keys::sign(&deps.keys.csrf, &format!("sso:{payload}"));
    Ok((url.to_string(), format!("{payload}.{sig}")))
}

fn read_flow(deps: Deps<'_>, cookie: Option<&str>) -> AppResult<Flow> {
    let expired =
        || failed("The sign-in took too long or was started in another browser; try again");
    let (payload, sig) = cookie.and_then(|c| c.split_once('.')).ok_or_else(expired)?;
    if !crate::keys::verify(&deps.keys.csrf, &format!("sso:{payload}"), sig) {
        return Err(expired());
    }
    let flow: Flow = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(expired)?;
    if flow.expires < Utc::now().timestamp() {
        return Err(expired());
    }
    Ok(flow)
}

/// Where to go after signing in (from the flow), with the member signed in.
pub struct Finished {
    pub signed_in: SignedIn,
    pub next: String,
}

/// Finishes a sign-in: checks the state against the flow cookie, exchanges the code
/// (with the PKCE verifier), verifies the ID token and its nonce, and signs the person
/// in to their member (made on first sign-in).
pub async fn finish(
    deps: Deps<'_>,
    cookie: Option<&str>,
    code: &str,
    state: &str,
    origin: &Origin,
) -> AppResult<Finished> {
    let flow = read_flow(deps, cookie)?;
    if state.is_empty() || !crate::keys::same(state.as_bytes(), flow.state.as_bytes()) {
        return Err(failed(
            "The answer from the sign-in provider does not belong to this sign-in; try again",
        ));
    }
    let http = http()?;
    let client = client(deps, &http).await?;
    let request = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| {
            AppError::internal(anyhow::anyhow!("the provider has no token endpoint: {e}"))
        })?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()));
    let tokens = request.request_async(&http).await.map_err(|e| {
        tracing::info!(error = %e, "the SSO code exchange was refused");
        failed("The sign-in provider refused the code (it may have been used already); try again")
    })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| failed("The sign-in provider sent no ID token"))?;
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, &Nonce::new(flow.nonce.clone()))
        .map_err(|e| {
            tracing::info!(error = %e, "an ID token did not verify");
            failed("The sign-in provider's ID token did not verify (expired, or not for us)")
        })?;
    let subject = claims.subject().as_str().to_string();
    let email = claims
        .email()
        .map(|e| e.as_str().to_string())
        .ok_or_else(|| failed("The sign-in provider did not say your e-mail address"))?;
    if claims.email_verified() != Some(true) {
        return Err(failed(
            "The sign-in provider has not verified your e-mail address, so it cannot sign you in here",
        ));
    }
    let email = Email::parse(&email)
        .map_err(|_| failed("The sign-in provider's e-mail address is not valid"))?;
    if let Some(allowed) = deps.settings.refused_domain(email.domain()) {
        return Err(AppError::coded(
            Code::EmailDomainNotAllowed,
            format!("Only addresses at {allowed} may join this community"),
        ));
    }
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string());
    let preferred = claims.preferred_username().map(|u| u.as_str().to_string());
    let member = member_for(deps, &subject, &email, name, preferred).await?;
    super::suspensions::refuse_sign_in(&member)?;
    let token = sessions::create(deps.db, member.id, SessionKind::Web, origin).await?;
    Ok(Finished {
        signed_in: SignedIn {
            member,
            token,
            badges: Vec::new(),
        },
        next: flow.next,
    })
}

async fn member_for(
    deps: Deps<'_>,
    subject: &str,
    email: &Email,
    name: Option<String>,
    preferred: Option<String>,
) -> AppResult<member::Model> {
    if let Some(m) = member::Entity::find()
        .filter(member::Column::OidcSubject.eq(subject))
        .filter(member::Column::DeletedAt.is_null())
        .one(deps.db)
        .await?
    {
        return Ok(m);
    }
    if let Some(m) = member::Entity::find()
        .filter(member::Column::Email.eq(email.as_ref()))
        .filter(member::Column::DeletedAt.is_null())
        .one(deps.db)
        .await?
    {
        if m.oidc_subject.is_some() {
            // Linked to another identity at the provider: an address the provider has
            // given to someone else does not hand them this account.
            return Err(failed(
                "This address belongs to a member linked to another sign-in; ask an admin",
            ));
        }
        // The provider vouches for the address: link the member, and their address is
        // confirmed. If it was not confirmed before, whoever registered it never proved
        // it was theirs: their password and sessions end, so only the address's owner
        // (signing in here) holds the account. (Unconfirmed members cannot have posted.)
        let unconfirmed = !m.email_verified;
        let id = m.id;
        let txn = crate::db::begin_write(deps.db).await?;
        let mut row: member::ActiveModel = m.into();
        row.oidc_subject = Set(Some(subject.to_string()));
        row.email_verified = Set(true);
        if unconfirmed {
            row.password_hash = Set(String::new());
            sessions::revoke_all(&txn, id, None).await?;
        }
        let linked = row.update(&txn).await?;
        let audited = super::effects::Effect::Audited {
            by: super::audit::By::member(id),
            action: super::audit::Action::SsoLinked,
            target: super::audit::Target::Member(id),
        };
        super::effects::record(&txn, audited, chrono::Utc::now()).await?;
        txn.commit().await?;
        return Ok(linked);
    }
    let local = email
        .as_ref()
        .split('@')
        .next()
        .unwrap_or("member")
        .to_string();
    let username = free_username(deps, preferred.as_deref().unwrap_or(&local)).await?;
    let display = name
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(60)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| username.to_string());
    insert_member(
        deps.db,
        &username,
        email.as_ref(),
        display.trim(),
        String::new(),
        true,
        Some(subject.to_string()),
    )
    .await
}

/// A username from a claim: its allowed characters, 3–30 long, with a number added
/// until it is free.
async fn free_username(deps: Deps<'_>, claim: &str) -> AppResult<Username> {
    let mut base: String = claim
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(24)
        .collect();
    while base.len() < 3 {
        base.push('_');
    }
    for n in 0..1000 {
        let candidate = if n == 0 {
            base.clone()
        } else {
            format!("{base}{n}")
        };
        let Ok(username) = Username::parse(&candidate) else {
            continue;
        };
        let taken = member::Entity::find()
            .filter(member::Column::Username.eq(username.as_ref()))
            .one(deps.db)
            .await?
            .is_some();
        if !taken {
            return Ok(username);
        }
    }
    Err(failed("Could not find a free username; ask an admin"))
}
