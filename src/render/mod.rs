//! Rendering: the theme and its Tera templates (`templates`), and the files made without
//! templates (`feeds`: sitemap, Atom feed, robots.txt, CNAME).

pub mod feeds;
pub mod pages;
pub mod templates;
