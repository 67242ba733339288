//! Profile pictures. An upload must decode as a PNG, JPEG or WebP image of at most 40
//! megapixels; it is turned upright (EXIF orientation), cropped to a square, resized to
//! 256 and 64 pixels and re-encoded as PNG, which leaves every byte of metadata (EXIF,
//! GPS, comments) behind. The two sizes are kept in the database, not on one machine's
//! disk, so every app instance serves the same pictures.

use std::io::Cursor;

use chrono::Utc;
use entity::{avatar, member};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::Actor;
use crate::error::{AppError, AppResult, Code};

/// The largest upload accepted, in bytes.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The most pixels an upload may have (width × height).
pub const MAX_PIXELS: u64 = 40_000_000;
pub const SIZES: [u32; 2] = [256, 64];

fn bad(code: Code, message: &str) -> AppError {
    AppError::coded(code, message)
}

/// Decodes, checks and resizes an upload: PNG bytes for each of `SIZES`.
pub fn process(bytes: &[u8]) -> AppResult<Vec<(u32, Vec<u8>)>> {
    if bytes.len() > MAX_BYTES {
        return Err(AppError::payload_too_large());
    }
    let not_image = || {
        bad(
            Code::InvalidImage,
            "The file is not a PNG, JPEG or WebP image",
        )
    };
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_image())?;
    let format = reader.format().ok_or_else(not_image)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(not_image());
    }
    // The header alone tells the size: refuse a decompression bomb before decoding it.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| not_image())?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(bad(
            Code::ImageTooLarge,
            "The image has more than 40 megapixels; upload a smaller one",
        ));
    }
    if width == 0 || height == 0 {
        return Err(not_image());
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // 40 megapixels at 16 bits a channel, with room for the decoder's own buffers.
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(400 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| not_image())?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| not_image())?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let (w, h) = (image.width(), image.height());
    let side = Ord::min(w, h);
    let mut current = image.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    drop(image);
    // Largest first; each smaller size is made from the one before, which is cheap.
    let mut out = Vec::new();
    for &size in &SIZES {
        current = current.resize_exact(size, size, FilterType::Lanczos3);
        let mut png = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(current.to_rgba8())
            .write_to(&mut png, ImageFormat::Png)
            .map_err(|e| AppError::internal(anyhow::anyhow!("encoding an avatar: {e}")))?;
        out.push((size, png.into_inner()));
    }
    Ok(out)
}

/// Replaces the member's picture; returns the new version.
pub async fn store(
    db: &DatabaseConnection,
    actor: &Actor,
    sizes: Vec<(u32, Vec<u8>)>,
) -> AppResult<i32> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    // The member row first: it locks, so two uploads at once take turns.
    member::Entity::update_many()
        .col_expr(
            member::Column::AvatarVersion,
            Expr::col(member::Column::AvatarVersion).if_null(0).add(1),
        )
        .filter(member::Column::Id.eq(actor.id))
        .exec(&txn)
        .await?;
    avatar::Entity::delete_many()
        .filter(avatar::Column::MemberId.eq(actor.id))
        .exec(&txn)
        .await?;
    for (size, bytes) in sizes {
        avatar::ActiveModel {
            member_id: Set(actor.id),
            size: Set(i32::try_from(size).unwrap_or(i32::MAX)),
            content_type: Set("image/png".into()),
            bytes: Set(bytes),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let version = member::Entity::find_by_id(actor.id)
        .one(&txn)
        .await?
        .and_then(|m| m.avatar_version)
        .unwrap_or(1);
    txn.commit().await?;
    Ok(version)
}

/// Back to the generated picture.
pub async fn remove(db: &DatabaseConnection, actor: &Actor) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    avatar::Entity::delete_many()
        .filter(avatar::Column::MemberId.eq(actor.id))
        .exec(&txn)
        .await?;
    member::Entity::update_many()
        .col_expr(
            member::Column::AvatarVersion,
            Expr::value(Option::<i32>::None),
        )
        .filter(member::Column::Id.eq(actor.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The stored picture of a member at a size (256 unless 64 is asked for).
pub async fn load(db: &DatabaseConnection, member_id: i32, size: u32) -> AppResult<avatar::Model> {
    let size = if size <= 64 { 64 } else { 256 };
    avatar::Entity::find()
        .filter(avatar::Column::MemberId.eq(member_id))
        .filter(avatar::Column::Size.eq(size))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Picture"))
}

/// What a stored picture is served at.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct AvatarUrls {
    pub avatar_url: String,
    pub avatar_small_url: String,
}

/// Decoding takes CPU and up to a few hundred MB: one picture at a time per process.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Reads a body (or one multipart field) of at most `limit` bytes; 413 beyond it,
/// without reading the rest. `code` names a broken stream (`invalid_body`, `invalid_form`).
pub async fn read_limited<B: AsRef<[u8]>, E: std::fmt::Display>(
    mut stream: impl futures_util::Stream<Item = Result<B, E>> + Unpin,
    limit: usize,
    code: Code,
) -> AppResult<Vec<u8>> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| AppError::coded(code, format!("The upload could not be read: {e}")))?;
        let chunk = chunk.as_ref();
        if body.len() + chunk.len() > limit {
            return Err(AppError::payload_too_large());
        }
        body.extend_from_slice(chunk);
    }
    Ok(body)
}

/// Checks the posting limit, decodes and stores an upload (off the async workers);
/// the new URLs.
pub async fn accept(
    db: &DatabaseConnection,
    rate_limits_on: bool,
    member: &entity::member::Model,
    bytes: Vec<u8>,
) -> AppResult<AvatarUrls> {
    let actor = Actor::from_model(member);
    super::rate_limit::posting(db, rate_limits_on, &actor).await?;
    let _turn = DECODING
        .acquire()
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("avatar queue: {e}")))?;
    let sizes = tokio::task::spawn_blocking(move || process(&bytes))
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("avatar worker: {e}")))??;
    let version = store(db, &actor, sizes).await?;
    let mut member = member.clone();
    member.avatar_version = Some(version);
    Ok(AvatarUrls {
        avatar_url: crate::views::avatar_url(&member, 256),
        avatar_small_url: crate::views::avatar_url(&member, 64),
    })
}
