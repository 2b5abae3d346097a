-- Issue 13: a post whose owner hid its like and view counts (`like_and_view_counts_disabled`) shows viewers a
-- stand-in like count (3 in public reports: zeeschuimer#45, instagrapi#2010), not the real one. Such a post keeps
-- NULL like and play counts (unknown, not 3), is left out of the ER, and the blog says how many were left out.
ALTER TABLE blog_posts ADD COLUMN counts_hidden boolean NOT NULL DEFAULT false;
ALTER TABLE blogs ADD COLUMN er_posts_hidden integer CHECK (er_posts_hidden >= 0);

-- Collab posts: one in a creator's feed may have been posted by another account, which invited the creator as
-- co-author (`item.user` is then that author, `coauthor_producers` names the creator). Kept per post, so the post is
-- attributed to its author and its co-authors.
ALTER TABLE blog_posts ADD COLUMN author_username text;
ALTER TABLE blog_posts ADD COLUMN coauthors text[] NOT NULL DEFAULT '{}';
