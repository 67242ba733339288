//! Profile pictures: a real PNG and JPEG go in; a renamed text file, an oversized file
//! and a decompression bomb are refused; metadata never comes out.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbImage};
use reqwest::Method;

use crate::helpers::{TestApp, TestUser, spawn_app};

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// A JPEG carrying an EXIF segment with a secret in it.
fn jpeg_with_exif(secret: &str) -> Vec<u8> {
    let img = RgbImage::from_fn(320, 200, |x, _| image::Rgb([x as u8, 90, 200]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Jpeg)
        .unwrap();
    let jpeg = out.into_inner();
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(secret.as_bytes());
    let len = (payload.len() + 2) as u16;
    let mut with_exif = jpeg[..2].to_vec(); // SOI
    with_exif.extend_from_slice(&[0xFF, 0xE1]);
    with_exif.extend_from_slice(&len.to_be_bytes());
    with_exif.extend_from_slice(&payload);
    with_exif.extend_from_slice(&jpeg[2..]);
    with_exif
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A tiny PNG whose header claims 10,000 × 5,000 pixels (50 megapixels).
fn bomb() -> Vec<u8> {
    let mut bytes = png(1, 1);
    // IHDR data starts after the 8-byte signature, 4-byte length and 4-byte type.
    bytes[16..20].copy_from_slice(&10_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&5_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

async fn upload(
    app: &TestApp,
    user: &TestUser,
    bytes: Vec<u8>,
    content_type: &str,
) -> crate::helpers::Answer {
    let res = app
        .api
        .put(app.api_url("/me/avatar"))
        .bearer_auth(&user.token)
        .header("Content-Type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    crate::helpers::Answer::read(res).await
}

async fn fetch(app: &TestApp, url: &str) -> (u16, Vec<u8>, String) {
    let res = app.api.get(app.url(url)).send().await.unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, res.bytes().await.unwrap().to_vec(), content_type)
}

#[tokio::test]
async fn a_real_png_becomes_a_square_picture_in_two_sizes() {
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let me = app.get("/me", ana.auth()).await.expect(200);
    assert_eq!(me["avatar_url"], "/members/ana/avatar.svg");

    let urls = upload(&app, &ana, png(600, 400), "image/png")
        .await
        .expect(200);
    let big = urls["avatar_url"].as_str().unwrap().to_string();
    let small = urls["avatar_small_url"].as_str().unwrap().to_string();
    assert!(big.starts_with("/members/ana/avatar.png?v="), "{big}");
    for (url, side) in [(&big, 256), (&small, 64)] {
        let (status, bytes, content_type) = fetch(&app, url).await;
        assert_eq!(status, 200);
        assert_eq!(content_type, "image/png");
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (side, side));
    }
    // Every view of the member carries the new picture.
    let me = app.get("/me", ana.auth()).await.expect(200);
    assert_eq!(me["avatar_url"], big.as_str());
    let d = app
        .start_discussion(&ana.token, "people", "With a face", "Hello")
        .await;
    let shown = app.discussion(d, None).await;
    assert_eq!(
        shown["discussion"]["author"]["avatar_small_url"],
        small.as_str()
    );

    // A new upload gets a new address; removing goes back to the default.
    let again = upload(&app, &ana, png(100, 100), "image/png")
        .await
        .expect(200);
    assert_ne!(again["avatar_url"], big.as_str());
    app.send(Method::DELETE, "/api/v1/me/avatar", ana.auth(), None)
        .await
        .expect_status(204);
    let me = app.get("/me", ana.auth()).await.expect(200);
    assert_eq!(me["avatar_url"], "/members/ana/avatar.svg");
    let (status, _, _) = fetch(&app, &big).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn metadata_is_stripped_from_a_jpeg() {
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    let secret = "GPS 51.5007N 0.1246W home-address";
    let urls = upload(&app, &ana, jpeg_with_exif(secret), "image/jpeg")
        .await
        .expect(200);
    for key in ["avatar_url", "avatar_small_url"] {
        let (status, bytes, _) = fetch(&app, urls[key].as_str().unwrap()).await;
        assert_eq!(status, 200);
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the picture still carries the EXIF text"
        );
        assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    }
}

#[tokio::test]
async fn uploads_that_are_not_images_or_too_large_are_refused() {
    let app = spawn_app().await;
    let ana = app.register("ana").await;
    // A text file renamed to .png, sent as a PNG.
    upload(
        &app,
        &ana,
        b"just some notes, not a picture\n".to_vec(),
        "image/png",
    )
    .await
    .expect_error(400, "invalid_image");
    // A GIF is an image, but not one we take.
    let mut gif = b"GIF89a".to_vec();
    gif.extend_from_slice(&[1, 0, 1, 0, 0, 0, 0, 0x3B]);
    upload(&app, &ana, gif, "image/gif")
        .await
        .expect_error(400, "invalid_image");
    // More than 2 MB.
    let mut big = png(8, 8);
    big.resize(2 * 1024 * 1024 + 1, 0);
    upload(&app, &ana, big, "image/png")
        .await
        .expect_error(413, "payload_too_large");
    // A few bytes that claim 50 megapixels.
    upload(&app, &ana, bomb(), "image/png")
        .await
        .expect_error(400, "image_too_large");
    // Nothing was stored along the way.
    let me = app.get("/me", ana.auth()).await.expect(200);
    assert_eq!(me["avatar_url"], "/members/ana/avatar.svg");
    let res = app
        .api
        .put(app.api_url("/me/avatar"))
        .body(png(10, 10))
        .send()
        .await
        .unwrap();
    crate::helpers::Answer::read(res)
        .await
        .expect_error(401, "not_signed_in");
}

#[tokio::test]
async fn the_settings_page_uploads_a_picture_without_javascript() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.join("ana").await;
    let token = browser.csrf_token("/settings").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.clone())
        .part(
            "avatar",
            reqwest::multipart::Part::bytes(png(300, 300))
                .file_name("me.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let res = browser
        .client
        .post(browser.url("/settings/avatar"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    crate::helpers::Answer::read(res).await.expect_see_other();
    let page = browser.get("/members/ana").await;
    assert!(page.expect_html(200).contains("avatar.png?v=1"));
    // Without the token: refused, nothing changes.
    let form = reqwest::multipart::Form::new().part(
        "avatar",
        reqwest::multipart::Part::bytes(png(50, 50)).file_name("x.png"),
    );
    let res = browser
        .client
        .post(browser.url("/settings/avatar"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    crate::helpers::Answer::read(res).await.expect_status(403);
}
