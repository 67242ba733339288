//! Members and their credentials: registration, sign-in, verified addresses, password
//! reset and change, address change, leaving, roles. Each face (page or API) makes one
//! call here per request; the call does the rate limits, the writes (in one
//! transaction) and the mails (outbox rows in that transaction).

use chrono::Utc;
use entity::{
    account_token, avatar, discussion_read, follow, member, notification, outbox, session,
    subscription,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, SqlErr,
};

use super::account_links::{self, Purpose};
use super::audit::{Action, By, Target};
use super::effects::{self, Effect};
pub use super::items::member_by_username as find_by_username;
use super::passwords::Hasher;
use super::rate_limit;
use super::sessions::{self, Origin, SessionKind};
use crate::config::Settings;
use crate::domain::{DisplayName, Email, Password, Role, Username};
use crate::error::{AppError, AppResult, Code, FieldErrors};
use crate::keys::Keys;

/// What the account calls need beside the database.
#[derive(Clone, Copy)]
pub struct Deps<'a> {
    pub db: &'a DatabaseConnection,
    pub hasher: &'a Hasher,
    pub keys: &'a Keys,
    pub settings: &'a Settings,
}

/// A member who just signed in (or registered): the member and their new secret.
pub struct SignedIn {
    pub member: member::Model,
    pub token: String,
    pub badges: Vec<crate::views::BadgeView>,
}

pub struct NewMember {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    pub display_name: Option<DisplayName>,
}

impl NewMember {
    /// Parses every field at once so the answer names all the problems together.
    pub fn parse(
        username: &str,
        email: &str,
        password: &str,
        display_name: Option<&str>,
    ) -> AppResult<Self> {
        let mut fields = FieldErrors::new();
        let username = keep(&mut fields, Username::parse(username));
        let email = keep(&mut fields, Email::parse(email));
        let password = keep(&mut fields, Password::parse(password));
        let display_name = match display_name.map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => keep(&mut fields, DisplayName::parse(raw)),
            None => None,
        };
        match (username, email, password) {
            (Some(username), Some(email), Some(password)) if fields.is_empty() => Ok(Self {
                username,
                email,
                password,
                display_name,
            }),
            _ => Err(AppError::from_fields(fields)),
        }
    }
}

/// The value, or its field errors added to `fields`.
fn keep<T>(fields: &mut FieldErrors, result: AppResult<T>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            if let Some(f) = e.fields() {
                fields.extend(f.clone());
            }
            None
        }
    }
}

/// Refuses an address outside `QUORUM_ALLOWED_EMAIL_DOMAINS` (when it is set).
fn allowed(settings: &Settings, email: &Email) -> AppResult<()> {
    match settings.refused_domain(email.domain()) {
        Some(allowed) => Err(AppError::validation(
            "email",
            format!("must be an address at {allowed}"),
        )),
        None => Ok(()),
    }
}

fn password_login(settings: &Settings) -> AppResult<()> {
    if settings.password_login_on() {
        Ok(())
    } else {
        Err(AppError::coded(
            Code::PasswordLoginOff,
            "This community signs in through single sign-on only",
        ))
    }
}

/// Inserts a member (no checks beyond the unique keys): registration, single sign-on and
/// the demo share it.
pub async fn insert_member(
    db: &impl ConnectionTrait,
    username: &Username,
    email: &str,
    display_name: &str,
    password_hash: String,
    verified: bool,
    oidc_subject: Option<String>,
) -> AppResult<member::Model> {
    let row = member::ActiveModel {
        username: Set(username.to_string()),
        email: Set(email.to_string()),
        display_name: Set(display_name.to_string()),
        password_hash: Set(password_hash),
        role: Set(Role::Member.as_str().to_string()),
        reputation: Set(1),
        created_at: Set(Utc::now()),
        email_verified: Set(verified),
        oidc_subject: Set(oidc_subject),
        ..Default::default()
    };
    match row.insert(db).await {
        Ok(m) => Ok(m),
        Err(e) => match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) if msg.contains("email") => {
                Err(email_taken())
            }
            Some(SqlErr::UniqueConstraintViolation(_)) => Err(username_taken()),
            _ => Err(e.into()),
        },
    }
}

async fn username_free(db: &impl ConnectionTrait, username: &Username) -> AppResult<bool> {
    Ok(member::Entity::find()
        .filter(member::Column::Username.eq(username.as_ref()))
        .one(db)
        .await?
        .is_none())
}

async fn email_free(db: &impl ConnectionTrait, email: &str) -> AppResult<bool> {
    Ok(member::Entity::find()
        .filter(member::Column::Email.eq(email))
        .one(db)
        .await?
        .is_none())
}

/// Registration: limits, checks, the member, the verification mail (unless
/// `QUORUM_EMAIL_VERIFICATION=off`) and a first session, in one go.
pub async fn register(
    deps: Deps<'_>,
    new: NewMember,
    origin: &Origin,
    kind: SessionKind,
) -> AppResult<SignedIn> {
    password_login(deps.settings)?;
    if deps.settings.rate_limits_on() {
        rate_limit::hit(
            deps.db,
            rate_limit::REGISTER_PER_IP,
            &rate_limit::address_bucket(&origin.ip),
        )
        .await?;
    }
    allowed(deps.settings, &new.email)?;
    // Friendly answers for the common case; the unique keys catch the race.
    if !username_free(deps.db, &new.username).await? {
        return Err(username_taken());
    }
    if !email_free(deps.db, new.email.as_ref()).await? {
        return Err(email_taken());
    }
    let password_hash = deps.hasher.hash(&new.password).await?;
    let display_name = new
        .display_name
        .map(DisplayName::into_inner)
        .unwrap_or_else(|| new.username.to_string());
    let verified = !deps.settings.email_verification_on();
    let now = Utc::now();
    let txn = crate::db::begin_write(deps.db).await?;
    let member = insert_member(
        &txn,
        &new.username,
        new.email.as_ref(),
        &display_name,
        password_hash,
        verified,
        None,
    )
    .await?;
    if !verified {
        account_links::issue(&txn, &member, Purpose::VerifyEmail, None, now).await?;
    }
    let token = sessions::create(&txn, member.id, kind, origin).await?;
    txn.commit().await?;
    Ok(SignedIn {
        member,
        token,
        badges: Vec::new(),
    })
}

/// A member made by the command line (`seed-demo`): verified, no mail.
pub async fn create_verified(
    db: &impl ConnectionTrait,
    hasher: &Hasher,
    new: NewMember,
) -> AppResult<member::Model> {
    if !username_free(db, &new.username).await? {
        return Err(username_taken());
    }
    let hash = hasher.hash(&new.password).await?;
    let display_name = new
        .display_name
        .map(DisplayName::into_inner)
        .unwrap_or_else(|| new.username.to_string());
    insert_member(
        db,
        &new.username,
        new.email.as_ref(),
        &display_name,
        hash,
        true,
        None,
    )
    .await
}

fn username_taken() -> AppError {
    let mut fields = FieldErrors::new();
    fields.insert("username".into(), "is already taken".into());
    AppError::coded(Code::UsernameTaken, "That username is already taken").with_fields(fields)
}

fn email_taken() -> AppError {
    let mut fields = FieldErrors::new();
    fields.insert("email".into(), "is already registered".into());
    AppError::coded(
        Code::EmailTaken,
        "That e-mail address is already registered",
    )
    .with_fields(fields)
}

pub fn invalid_credentials() -> AppError {
    AppError::coded(
        Code::InvalidCredentials,
        "That username or e-mail and password do not match",
    )
}

async fn find_login(db: &impl ConnectionTrait, login: &str) -> AppResult<Option<member::Model>> {
    let login = login.trim().to_lowercase();
    if login.is_empty() || login.len() > 254 || login.chars().any(char::is_control) {
        return Ok(None);
    }
    let column = if login.contains('@') {
        member::Column::Email
    } else {
        member::Column::Username
    };
    Ok(member::Entity::find()
        .filter(column.eq(login.as_str()))
        .filter(member::Column::DeletedAt.is_null())
        .one(db)
        .await?)
}

/// Sign-in under the limits. Every attempt counts against the client's address (IPv6 by
/// its /64; over the limit: 429). Every attempt also counts against the member (a
/// username and its e-mail are one bucket), atomically and before the password is
/// checked, so a parallel burst sees its true number; past a few tries each attempt
/// waits longer (`rate_limit::signin_delay`) before its check. The owner is slowed,
/// never locked out, and a correct password clears the count. Every wrong pair gets the
/// same answer after the same work.
pub async fn signin(
    deps: Deps<'_>,
    origin: &Origin,
    login: &str,
    password: &str,
    kind: SessionKind,
) -> AppResult<SignedIn> {
    password_login(deps.settings)?;
    let limits = deps.settings.rate_limits_on();
    if limits {
        let counted = rate_limit::count(
            deps.db,
            rate_limit::SIGNIN_PER_IP,
            &rate_limit::address_bucket(&origin.ip),
        )
        .await?;
        if counted.n > rate_limit::SIGNIN_PER_IP.max {
            if counted.n == rate_limit::SIGNIN_PER_IP.max + 1 {
                // One audit row per burst (the first refusal of the window), so a
                // flood cannot flood the log.
                let audited = Effect::Audited {
                    by: By {
                        member: None,
                        ip_prefix: origin.ip_prefix(),
                    },
                    action: Action::SignInRefused {
                        login: login.trim().chars().take(100).collect(),
                    },
                    target: Target::None,
                };
                effects::record(deps.db, audited, Utc::now()).await?;
            }
            return Err(AppError::rate_limited(counted.retry_after));
        }
    }
    let found = find_login(deps.db, login).await?;
    let bucket = match &found {
        Some(m) => format!("member:{}", m.id),
        None => format!("login:{}", login.trim().to_lowercase()),
    };
    let counted = if limits {
        let counted = rate_limit::count(deps.db, rate_limit::SIGNIN_PER_MEMBER, &bucket).await?;
        let delay = rate_limit::signin_delay(counted.n);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Some(counted)
    } else {
        None
    };
    let ok = deps
        .hasher
        .verify(password, found.as_ref().map(|m| m.password_hash.as_str()))
        .await?;
    let member = match found {
        Some(m) if ok && !password.is_empty() => m,
        _ => return Err(invalid_credentials()),
    };
    if let Some(counted) = &counted {
        rate_limit::clear(deps.db, counted).await?;
    }
    // Only after the password: a wrong one must not learn that the account exists.
    super::suspensions::refuse_sign_in(&member)?;
    let token = sessions::create(deps.db, member.id, kind, origin).await?;
    let badges = super::badges::of_member(deps.db, member.id).await?;
    Ok(SignedIn {
        member,
        token,
        badges,
    })
}

/// Follows a mailed link: confirms the registration address, or makes a new address
/// (asked for with `change_email`) the member's, confirmed.
pub async fn verify_email(deps: Deps<'_>, token: &str) -> AppResult<member::Model> {
    let now = Utc::now();
    let txn = crate::db::begin_write(deps.db).await?;
    let link = account_links::redeem(
        &txn,
        &deps.keys.links,
        token,
        &[Purpose::VerifyEmail, Purpose::EmailChange],
        now,
    )
    .await?;
    let member = member::Entity::find_by_id(link.member_id)
        .one(&txn)
        .await?
        .filter(|m| m.deleted_at.is_none())
        .ok_or_else(account_links::invalid_link)?;
    let address = link
        .new_email
        .clone()
        .unwrap_or_else(|| member.email.clone());
    if let Ok(email) = Email::parse(&address) {
        allowed(deps.settings, &email)?;
    }
    let mut row: member::ActiveModel = member.clone().into();
    row.email_verified = Set(true);
    if link.new_email.is_some() && address != member.email {
        if !email_free(&txn, &address).await? {
            return Err(email_taken());
        }
        row.email = Set(address);
        // Links sent to the old address (a reset, another change) stop working.
        account_links::void(&txn, member.id, None, now).await?;
        let audited = Effect::Audited {
            by: By::member(member.id),
            action: Action::EmailChanged,
            target: Target::Member(member.id),
        };
        effects::record(&txn, audited, now).await?;
    }
    let member = match row.update(&txn).await {
        Ok(m) => m,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(email_taken());
        }
        Err(e) => return Err(e.into()),
    };
    txn.commit().await?;
    Ok(member)
}

/// Sends the verification link again (a few times an hour at most).
pub async fn resend_verification(deps: Deps<'_>, member: &member::Model) -> AppResult<()> {
    if member.email_verified {
        return Ok(());
    }
    if deps.settings.rate_limits_on() {
        rate_limit::hit(
            deps.db,
            rate_limit::ACCOUNT_MAILS_PER_MEMBER,
            &member.id.to_string(),
        )
        .await?;
    }
    let txn = crate::db::begin_write(deps.db).await?;
    account_links::issue(&txn, member, Purpose::VerifyEmail, None, Utc::now()).await?;
    txn.commit().await?;
    Ok(())
}

/// "Forgot my password": mails a reset link when the address belongs to a member. The
/// caller answers the same whatever happened here; even the per-address limit is silent.
pub async fn request_password_reset(deps: Deps<'_>, origin: &Origin, email: &str) -> AppResult<()> {
    let limits = deps.settings.rate_limits_on();
    if limits {
        rate_limit::hit(
            deps.db,
            rate_limit::RESET_PER_IP,
            &rate_limit::address_bucket(&origin.ip),
        )
        .await?;
    }
    if email.chars().count() > 254 {
        return Err(AppError::validation(
            "email",
            "must be at most 254 characters long",
        ));
    }
    let address = email.trim().to_lowercase();
    if !address.contains('@') {
        return Ok(());
    }
    // The same work whatever the address, then the answer; whether a mail follows is
    // decided after the caller has been answered, so the time taken tells nothing.
    if limits {
        let counted = rate_limit::count(deps.db, rate_limit::RESET_PER_ADDRESS, &address).await?;
        if counted.n > rate_limit::RESET_PER_ADDRESS.max {
            return Ok(());
        }
    }
    let db = deps.db.clone();
    tokio::spawn(async move {
        if let Err(e) = mail_reset_link(&db, &address).await {
            tracing::warn!(error = %e, "could not queue a password reset mail");
        }
    });
    Ok(())
}

async fn mail_reset_link(db: &DatabaseConnection, address: &str) -> AppResult<()> {
    let Some(member) = find_login(db, address).await? else {
        return Ok(());
    };
    let txn = crate::db::begin_write(db).await?;
    account_links::issue(&txn, &member, Purpose::PasswordReset, None, Utc::now()).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a new password from a reset link; every session and token of the member ends.
/// The link also confirms the address (it was read there).
pub async fn reset_password(deps: Deps<'_>, token: &str, password: &str) -> AppResult<()> {
    let password = Password::parse(password)?;
    let now = Utc::now();
    // Checked before the slow hash, used up after it in the transaction.
    account_links::check(
        deps.db,
        &deps.keys.links,
        token,
        &[Purpose::PasswordReset],
        now,
    )
    .await?;
    let hash = deps.hasher.hash(&password).await?;
    let txn = crate::db::begin_write(deps.db).await?;
    let link = account_links::redeem(
        &txn,
        &deps.keys.links,
        token,
        &[Purpose::PasswordReset],
        now,
    )
    .await?;
    member::Entity::update_many()
        .col_expr(member::Column::PasswordHash, Expr::value(hash))
        .col_expr(member::Column::EmailVerified, Expr::value(true))
        .filter(member::Column::Id.eq(link.member_id))
        .filter(member::Column::DeletedAt.is_null())
        .exec(&txn)
        .await?;
    account_links::void(&txn, link.member_id, None, now).await?;
    sessions::revoke_all(&txn, link.member_id, None).await?;
    let audited = Effect::Audited {
        by: By::member(link.member_id),
        action: Action::PasswordReset,
        target: Target::Member(link.member_id),
    };
    effects::record(&txn, audited, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Checks the member's password for an account change; a wrong one names the field.
async fn confirm_password(
    deps: Deps<'_>,
    member: &member::Model,
    field: &str,
    password: &str,
) -> AppResult<()> {
    if deps
        .hasher
        .verify(password, Some(&member.password_hash))
        .await?
    {
        Ok(())
    } else {
        Err(AppError::validation(field, "is not your current password"))
    }
}

/// Changes the password (the current one required); every other session ends.
pub async fn change_password(
    deps: Deps<'_>,
    member: &member::Model,
    current_secret: &str,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let new = Password::parse(new).map_err(|e| {
        let message = e.fields().and_then(|f| f.get("password")).cloned();
        AppError::validation(
            "new_password",
            message.unwrap_or_else(|| "is not a valid password".into()),
        )
    })?;
    confirm_password(deps, member, "current_password", current).await?;
    let hash = deps.hasher.hash(&new).await?;
    let txn = crate::db::begin_write(deps.db).await?;
    member::Entity::update_many()
        .col_expr(member::Column::PasswordHash, Expr::value(hash))
        .filter(member::Column::Id.eq(member.id))
        .exec(&txn)
        .await?;
    sessions::revoke_all(&txn, member.id, Some(current_secret)).await?;
    account_links::void(&txn, member.id, None, Utc::now()).await?;
    txn.commit().await?;
    Ok(())
}

/// Renames a member (a username proposed from single sign-on claims, say, is theirs to
/// change). Their posts are indexed again under the new name.
pub async fn change_username(
    deps: Deps<'_>,
    member: &member::Model,
    username: &str,
) -> AppResult<member::Model> {
    let username = Username::parse(username)?;
    if username.as_ref() == member.username {
        return Ok(member.clone());
    }
    if !username_free(deps.db, &username).await? {
        return Err(username_taken());
    }
    let txn = crate::db::begin_write(deps.db).await?;
    let mut row: member::ActiveModel = member.clone().into();
    row.username = Set(username.to_string());
    let renamed = match row.update(&txn).await {
        Ok(m) => m,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(username_taken());
        }
        Err(e) => return Err(e.into()),
    };
    reindex_posts_of(&txn, member.id).await?;
    txn.commit().await?;
    bump_threads_of(deps.db, member.id).await?;
    Ok(renamed)
}

/// Asks to move the account to a new address: a link goes to the new one (the change
/// happens when it is followed), a notice to the old one.
pub async fn change_email(
    deps: Deps<'_>,
    member: &member::Model,
    email: &str,
    password: &str,
) -> AppResult<()> {
    let email = Email::parse(email)?;
    allowed(deps.settings, &email)?;
    // Members made by single sign-on have no password: their session confirms.
    if !member.password_hash.is_empty() {
        confirm_password(deps, member, "password", password).await?;
    }
    if email.as_ref() == member.email {
        return Err(AppError::validation("email", "is your address already"));
    }
    if !email_free(deps.db, email.as_ref()).await? {
        return Err(email_taken());
    }
    if deps.settings.rate_limits_on() {
        rate_limit::hit(
            deps.db,
            rate_limit::ACCOUNT_MAILS_PER_MEMBER,
            &member.id.to_string(),
        )
        .await?;
    }
    let now = Utc::now();
    let txn = crate::db::begin_write(deps.db).await?;
    account_links::issue(
        &txn,
        member,
        Purpose::EmailChange,
        Some(email.as_ref()),
        now,
    )
    .await?;
    super::subscriptions::queue_mail(
        &txn,
        super::subscriptions::Mail {
            member_id: member.id,
            to: &member.email,
            kind: "email_change_notice",
            reason: "account",
            discussion_id: None,
            comment_id: None,
            token_id: None,
            idea_change_id: None,
            inbound_mail_id: None,
            tag: &member.id.to_string(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Leaves the community: the password confirms (members without one, made by single
/// sign-on, are confirmed by their session). Personal data is erased in one
/// transaction; posts stay, shown as "Former member".
pub async fn delete(deps: Deps<'_>, member: &member::Model, password: &str) -> AppResult<()> {
    if !member.password_hash.is_empty() {
        confirm_password(deps, member, "password", password).await?;
    }
    let now = Utc::now();
    let id = member.id;
    let txn = crate::db::begin_write(deps.db).await?;
    member::Entity::update_many()
        // Names no live member can have: `~` and the space are refused by the
        // username and address rules.
        .col_expr(member::Column::Username, Expr::value(former_username(id)))
        .col_expr(member::Column::Email, Expr::value(former_email(id)))
        .col_expr(member::Column::DisplayName, Expr::value("Former member"))
        .col_expr(member::Column::PasswordHash, Expr::value(""))
        .col_expr(
            member::Column::AvatarVersion,
            Expr::value(Option::<i32>::None),
        )
        .col_expr(
            member::Column::OidcSubject,
            Expr::value(Option::<String>::None),
        )
        .col_expr(member::Column::EmailVerified, Expr::value(false))
        .col_expr(member::Column::EmailOnDiscussionReply, Expr::value(false))
        .col_expr(member::Column::EmailOnCommentReply, Expr::value(false))
        .col_expr(member::Column::EmailOnMention, Expr::value(false))
        .col_expr(member::Column::Digest, Expr::value("never"))
        .col_expr(member::Column::DeletedAt, Expr::value(now))
        .filter(member::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    erase::<session::Entity>(&txn, session::Column::MemberId, id).await?;
    erase::<subscription::Entity>(&txn, subscription::Column::MemberId, id).await?;
    erase::<follow::Entity>(&txn, follow::Column::FollowerId, id).await?;
    erase::<follow::Entity>(&txn, follow::Column::MemberId, id).await?;
    erase::<notification::Entity>(&txn, notification::Column::MemberId, id).await?;
    erase::<discussion_read::Entity>(&txn, discussion_read::Column::MemberId, id).await?;
    erase::<avatar::Entity>(&txn, avatar::Column::MemberId, id).await?;
    erase::<account_token::Entity>(&txn, account_token::Column::MemberId, id).await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value("cancelled"))
        .col_expr(outbox::Column::ToAddress, Expr::value(former_email(id)))
        .filter(outbox::Column::MemberId.eq(id))
        .exec(&txn)
        .await?;
    // Their posts are indexed under their old name: index them again.
    reindex_posts_of(&txn, id).await?;
    let audited = Effect::Audited {
        by: By::member(id),
        action: Action::AccountDeleted,
        target: Target::Member(id),
    };
    effects::record(&txn, audited, now).await?;
    txn.commit().await?;
    bump_threads_of(deps.db, id).await?;
    Ok(())
}

/// Deletes the rows of `E` whose `column` is the member.
async fn erase<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: impl ColumnTrait,
    member_id: i32,
) -> AppResult<()> {
    E::delete_many()
        .filter(column.eq(member_id))
        .exec(db)
        .await?;
    Ok(())
}

fn former_username(id: i32) -> String {
    format!("former~{id}")
}

fn former_email(id: i32) -> String {
    format!("former {id}@deleted.invalid")
}

/// Raises the version of every thread a member wrote in, after their name changed or
/// was erased: kept page copies show names, and a search rebuild running meanwhile
/// queues those threads again after its swap. Run after the change commits, on its
/// own: inside it, the member's row (locked first) and then the threads would be locked
/// in the opposite order to a reply's, and two such writers could deadlock.
async fn bump_threads_of(db: &impl ConnectionTrait, member_id: i32) -> AppResult<()> {
    use entity::{comment, discussion};
    discussion::Entity::update_many()
        .col_expr(
            discussion::Column::Version,
            Expr::col(discussion::Column::Version).add(1),
        )
        .filter(
            sea_orm::Condition::any()
                .add(discussion::Column::AuthorId.eq(member_id))
                .add(
                    discussion::Column::Id.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(comment::Column::DiscussionId)
                            .from(comment::Entity)
                            .and_where(comment::Column::AuthorId.eq(member_id))
                            .to_owned(),
                    ),
                ),
        )
        .exec(db)
        .await?;
    Ok(())
}

async fn reindex_posts_of(db: &impl ConnectionTrait, member_id: i32) -> AppResult<()> {
    use crate::jobs::search::{SearchJob, enqueue};
    use entity::{comment, discussion};
    use sea_orm::QuerySelect;
    let discussions: Vec<i32> = discussion::Entity::find()
        .select_only()
        .column(discussion::Column::Id)
        .filter(discussion::Column::AuthorId.eq(member_id))
        .into_tuple()
        .all(db)
        .await?;
    let comments: Vec<i32> = comment::Entity::find()
        .select_only()
        .column(comment::Column::Id)
        .filter(comment::Column::AuthorId.eq(member_id))
        .into_tuple()
        .all(db)
        .await?;
    for id in discussions {
        enqueue(db, SearchJob::Discussion { id }).await?;
    }
    for id in comments {
        enqueue(db, SearchJob::Comment { id }).await?;
    }
    let questions: Vec<i32> = entity::qa_question::Entity::find()
        .select_only()
        .column(entity::qa_question::Column::Id)
        .filter(entity::qa_question::Column::AuthorId.eq(member_id))
        .into_tuple()
        .all(db)
        .await?;
    for id in questions {
        enqueue(db, SearchJob::Question { id }).await?;
    }
    Ok(())
}

/// Gives a member a role. `by` is the admin doing it (None: the command line); admins
/// cannot change their own role. The change is audited in its transaction.
pub async fn set_role(
    db: &DatabaseConnection,
    by: Option<&super::Actor>,
    username: &str,
    role: Role,
) -> AppResult<member::Model> {
    if let Some(actor) = by
        && actor.role != Role::Admin
    {
        return Err(AppError::forbidden("Only admins change roles"));
    }
    let txn = crate::db::begin_write(db).await?;
    // The admin as they are now (another admin may just have changed them).
    if let Some(actor) = by {
        let current = member::Entity::find_by_id(actor.id).one(&txn).await?;
        if current.is_none_or(|m| Role::from_db(&m.role) != Role::Admin || m.deleted_at.is_some()) {
            return Err(AppError::forbidden("Only admins change roles"));
        }
    }
    let found = find_by_username(&txn, username).await?;
    if by.is_some_and(|a| a.id == found.id) {
        return Err(AppError::coded(
            Code::OwnRole,
            "Admins cannot change their own role; ask another admin",
        ));
    }
    let from = found.role.clone();
    let mut row: member::ActiveModel = found.into();
    row.role = Set(role.as_str().to_string());
    let member = row.update(&txn).await?;
    if from != role.as_str() {
        let audited = Effect::Audited {
            by: by.map(By::actor).unwrap_or_default(),
            action: Action::RoleChanged {
                from,
                to: role.as_str().to_string(),
            },
            target: Target::Member(member.id),
        };
        effects::record(&txn, audited, Utc::now()).await?;
    }
    txn.commit().await?;
    Ok(member)
}
