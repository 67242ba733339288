//! View builders for posts: rows in, views out, with a fixed number of queries however
//! many rows (authors, zones and the viewer's votes each in one query).

use std::collections::{HashMap, HashSet};

use entity::{comment, discussion, vote, zone};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{CommentView, DiscussionView, MemberRef};
use crate::domain::PostKind;
use crate::error::{AppError, AppResult};
use crate::services::Actor;
use crate::services::items::members_by_id;

/// The viewer's vote on each of the given posts of one kind, in one query.
pub async fn my_votes(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    kind: PostKind,
    ids: &[i32],
) -> AppResult<HashMap<i32, i32>> {
    let Some(viewer) = viewer else {
        return Ok(Default::default());
    };
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows = vote::Entity::find()
        .filter(vote::Column::MemberId.eq(viewer.id))
        .filter(vote::Column::TargetKind.eq(kind.as_str()))
        .filter(vote::Column::TargetId.is_in(ids.to_vec()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|v| (v.target_id, v.value)).collect())
}

/// Discussions as the viewer sees them: three more queries in all (authors, votes,
/// zones).
pub async fn discussions(
    db: &impl ConnectionTrait,
    rows: Vec<discussion::Model>,
    viewer: Option<&Actor>,
) -> AppResult<Vec<DiscussionView>> {
    discussions_of(db, rows, viewer, None).await
}

/// `discussions`, when they all belong to one zone already read (`zone`).
pub async fn discussions_of(
    db: &impl ConnectionTrait,
    rows: Vec<discussion::Model>,
    viewer: Option<&Actor>,
    zone: Option<&zone::Model>,
) -> AppResult<Vec<DiscussionView>> {
    let people = members_by_id(
        db,
        rows.iter()
            .flat_map(|d| std::iter::once(d.author_id).chain(d.idea_changed_by)),
    )
    .await?;
    let ids: Vec<i32> = rows.iter().map(|d| d.id).collect();
    let my_votes = my_votes(db, viewer, PostKind::Discussion, &ids).await?;
    let mut zone_ids: Vec<i32> = rows.iter().map(|d| d.zone_id).collect();
    zone_ids.sort_unstable();
    zone_ids.dedup();
    let zones = if let Some(zone) = zone.filter(|z| zone_ids.iter().all(|&id| id == z.id)) {
        vec![zone.clone()]
    } else if zone_ids.is_empty() {
        Vec::new()
    } else {
        zone::Entity::find()
            .filter(zone::Column::Id.is_in(zone_ids))
            .all(db)
            .await?
    };
    rows.into_iter()
        .map(|d| {
            let id = d.id;
            let zone = zones
                .iter()
                .find(|z| z.id == d.zone_id)
                .map(|z| z.slug.clone())
                .unwrap_or_default();
            let my_vote = my_votes.get(&d.id).copied().unwrap_or(0);
            let reveal = viewer.is_some_and(|a| a.may_change(d.author_id));
            DiscussionView::build(d, zone, &people, my_vote, reveal)
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("discussion {id} has no author")))
        })
        .collect()
}

/// One discussion as the viewer sees it.
pub async fn discussion(
    db: &impl ConnectionTrait,
    row: discussion::Model,
    viewer: Option<&Actor>,
) -> AppResult<DiscussionView> {
    discussions(db, vec![row], viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a discussion view went missing")))
}

/// Comments as the viewer sees them, in the order given.
pub async fn comments(
    db: &impl ConnectionTrait,
    rows: Vec<comment::Model>,
    viewer: Option<&Actor>,
) -> AppResult<Vec<CommentView>> {
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    let my_votes = my_votes(db, viewer, PostKind::Comment, &ids).await?;
    let authors = members_by_id(
        db,
        rows.iter()
            .filter(|c| c.deleted_at.is_none())
            .map(|c| c.author_id),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let author = authors.get(&c.author_id).map(MemberRef::from_model);
            let my_vote = my_votes.get(&c.id).copied().unwrap_or(0);
            let reveal = viewer.is_some_and(|a| a.may_change(c.author_id));
            CommentView::build(c, author, my_vote, reveal)
        })
        .collect())
}

/// A comment its author has just written, as they see it: no one has voted on it yet,
/// so only its author is read.
pub async fn new_comment(
    db: &impl ConnectionTrait,
    row: comment::Model,
    author: &Actor,
) -> AppResult<CommentView> {
    let authors = members_by_id(db, [row.author_id]).await?;
    let member = authors.get(&row.author_id).map(MemberRef::from_model);
    let reveal = author.may_change(row.author_id);
    Ok(CommentView::build(row, member, 0, reveal))
}

/// One comment as the viewer sees it.
pub async fn comment(
    db: &impl ConnectionTrait,
    row: comment::Model,
    viewer: Option<&Actor>,
) -> AppResult<CommentView> {
    comments(db, vec![row], viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a comment view went missing")))
}

/// At most this many comments per page of a thread.
pub const THREAD_PAGE: u64 = 200;

/// A page of a discussion's comments, in thread order, deleted ones in their place:
/// the first `THREAD_PAGE`, or those after the comment `after`. One indexed range
/// (`thread_path`), so a page of a 10,000-reply thread costs what a short one does.
/// Returns the rows and whether more follow.
pub async fn thread_rows(
    db: &impl ConnectionTrait,
    discussion_id: i32,
    after: Option<i32>,
) -> AppResult<(Vec<comment::Model>, bool)> {
    use sea_orm::QuerySelect;
    let mut query = comment::Entity::find().filter(comment::Column::DiscussionId.eq(discussion_id));
    if let Some(after) = after {
        let from = comment::Entity::find_by_id(after)
            .filter(comment::Column::DiscussionId.eq(discussion_id))
            .one(db)
            .await?
            .and_then(|c| c.thread_path)
            .ok_or_else(|| crate::error::AppError::not_found("Comment"))?;
        query = query.filter(comment::Column::ThreadPath.gt(from));
    }
    let mut rows = query
        .order_by_asc(comment::Column::ThreadPath)
        .order_by_asc(comment::Column::Id)
        .limit(THREAD_PAGE + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > THREAD_PAGE;
    rows.truncate(THREAD_PAGE as usize);
    Ok((rows, more))
}

/// The viewer's votes on a discussion and on the given comments of it, in one query:
/// (the vote on the discussion, the votes on comments by comment id).
pub async fn my_votes_on_thread(
    db: &impl ConnectionTrait,
    viewer: Option<&Actor>,
    discussion_id: i32,
    comment_ids: &[i32],
) -> AppResult<(i32, HashMap<i32, i32>)> {
    let Some(viewer) = viewer else {
        return Ok((0, HashMap::new()));
    };
    let mut on = sea_orm::Condition::any().add(
        sea_orm::Condition::all()
            .add(vote::Column::TargetKind.eq(PostKind::Discussion.as_str()))
            .add(vote::Column::TargetId.eq(discussion_id)),
    );
    if !comment_ids.is_empty() {
        on = on.add(
            sea_orm::Condition::all()
                .add(vote::Column::TargetKind.eq(PostKind::Comment.as_str()))
                .add(vote::Column::TargetId.is_in(comment_ids.to_vec())),
        );
    }
    let rows = vote::Entity::find()
        .filter(vote::Column::MemberId.eq(viewer.id))
        .filter(on)
        .all(db)
        .await?;
    let mut on_discussion = 0;
    let mut on_comments = HashMap::new();
    for v in rows {
        if v.target_kind == PostKind::Discussion.as_str() {
            on_discussion = v.value;
        } else {
            on_comments.insert(v.target_id, v.value);
        }
    }
    Ok((on_discussion, on_comments))
}

/// The thread path of a comment whose parent's path is `parent` (None: top level).
pub fn child_path(parent: Option<&str>, id: i32) -> String {
    match parent {
        Some(p) => format!("{p}.{id:010}"),
        None => format!("{id:010}"),
    }
}

/// Puts comments in thread order: each after its parent, siblings oldest first.
/// Comments whose parent is missing are treated as top-level, so none is ever lost.
pub fn thread_order(mut rows: Vec<comment::Model>) -> Vec<comment::Model> {
    rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let known: HashSet<i32> = rows.iter().map(|c| c.id).collect();
    let mut children: HashMap<Option<i32>, Vec<usize>> = HashMap::new();
    for (i, c) in rows.iter().enumerate() {
        let parent = c.parent_id.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(i);
    }
    let mut order = Vec::with_capacity(rows.len());
    // Depth-first, iteratively, so a very deep thread cannot overflow the stack.
    let mut stack: Vec<usize> = children
        .get(&None)
        .map(|v| v.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(kids) = children.get(&Some(rows[i].id)) {
            stack.extend(kids.iter().rev().copied());
        }
    }
    let mut slots: Vec<Option<comment::Model>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono::Utc;

    fn c(id: i32, parent: Option<i32>) -> comment::Model {
        let t = Utc
            .timestamp_opt(1_700_000_000 + i64::from(id), 0)
            .single()
            .unwrap_or_default();
        comment::Model {
            id,
            discussion_id: 1,
            parent_id: parent,
            author_id: 1,
            depth: 0,
            body: String::new(),
            body_html: String::new(),
            score: 0,
            recognized: false,
            created_at: t,
            updated_at: t,
            edited_at: None,
            deleted_at: None,
            hidden: false,
            edited_by_moderator: false,
            thread_path: None,
        }
    }

    #[test]
    fn orders_each_reply_after_its_parent_and_siblings_oldest_first() {
        let rows = vec![
            c(1, None),
            c(2, None),
            c(3, Some(1)),
            c(4, Some(3)),
            c(5, Some(1)),
            c(6, Some(2)),
        ];
        let ids: Vec<i32> = thread_order(rows).iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![1, 3, 4, 5, 2, 6]);
    }

    #[test]
    fn thread_paths_sort_in_thread_order() {
        let a = child_path(None, 9);
        let b = child_path(Some(&a), 10);
        let c = child_path(None, 11);
        let d = child_path(Some(&a), 100);
        let mut paths = vec![c.clone(), d.clone(), b.clone(), a.clone()];
        paths.sort();
        assert_eq!(paths, vec![a, b, d, c]);
    }

    #[test]
    fn keeps_orphans() {
        let ids: Vec<i32> = thread_order(vec![c(2, Some(99)), c(1, None)])
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, vec![1, 2]);
    }
}
