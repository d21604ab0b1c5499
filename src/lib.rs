//! The tabgit web app: a Leptos (client-side rendered) UI over the engine worker.
//!
//! Components render and dispatch; git work happens in the engine worker
//! ([`tabgit_engine`]), reached through [`engine::EngineCtx`] and [`tasks`]. UI logic lives in
//! the view-models of [`state`], tested natively. Routes live in the location fragment
//! ([`state::route::Route`]).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod browser;
pub mod components;
pub mod engine;
pub mod pages;
pub mod session;
pub mod state;
pub mod tasks;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::engine_status::EngineStatus;
use crate::components::error_banner::ErrorBanner;
use crate::pages::repo::RepoPage;
use crate::pages::repos::ReposPage;
use crate::pages::settings::SettingsPage;
use crate::session::{go, ErrorCtx, RouteCtx, Session, UnsavedCtx};
use crate::state::route::{RepoView, Route};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    // -- contexts --
    provide_context(engine::EngineCtx::spawn());
    Session::provide();
    let route = expect_context::<RouteCtx>();
    let unsaved = expect_context::<UnsavedCtx>();
    let error = expect_context::<ErrorCtx>();
    // -- effects: the outside world --
    let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
        route.0.set(Route::parse(&browser::location_hash()));
    });
    let on_leave = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if unsaved.editor_dirty.get_untracked() || unsaved.unpushed.get_untracked() > 0 {
            ev.prevent_default();
        }
    });
    let on_key = window_event_listener(leptos::ev::keydown, move |ev| {
        if let Some(target) = shortcut_target(&route.0.get_untracked(), &ev) {
            ev.prevent_default();
            go(&target);
        }
    });
    on_cleanup(move || {
        on_hash.remove();
        on_leave.remove();
        on_key.remove();
    });
    // A route change hides an old error.
    Effect::new(move |previous: Option<Route>| {
        let now = route.0.get();
        if previous.is_some_and(|p| {
            p.repo() != now.repo() || std::mem::discriminant(&p) != std::mem::discriminant(&now)
        }) {
            error.clear();
        }
        now
    });
    let page = move || {
        match route.0.get() {
        Route::Repos => view! { <ReposPage clone=None/> }.into_any(),
        Route::Clone { url } => view! { <ReposPage clone=Some(url)/> }.into_any(),
        Route::Settings { connect } => view! { <SettingsPage connect=connect/> }.into_any(),
        Route::Repo { .. } => view! { <RepoPage/> }.into_any(),
        Route::NotFound(fragment) => view! {
            <p class="empty">{format!("There is no page at #{fragment}. ")}<a href="#/">"Go to your repositories"</a></p>
        }.into_any(),
    }
    };
    // The repository page stays mounted while moving between its views.
    let page_key = Memo::new(move |_| match route.0.get() {
        Route::Repo { name, .. } => format!("repo:{name}"),
        Route::Settings { connect } => format!("settings:{connect:?}"),
        other => format!("{:?}", std::mem::discriminant(&other)),
    });
    view! {
        <a class="skip-link" href="#main" on:click=|ev| {
            ev.prevent_default();
            if let Some(main) = document().get_element_by_id("main") {
                let _ = main.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }>"Skip to content"</a>
        <header class="app-header">
            <a class="app-title" href="#/">"tabgit"</a>
            <nav class="app-nav" aria-label="Main">
                <a href=Route::Repos.path() data-testid="nav-repos" aria-keyshortcuts="Alt+0"
                    aria-current=move || matches!(route.0.get(), Route::Repos | Route::Clone { .. }).then_some("page")>"Repositories"</a>
                <a href=Route::Settings { connect: None }.path() data-testid="nav-settings" aria-keyshortcuts="Alt+9"
                    aria-current=move || matches!(route.0.get(), Route::Settings { .. }).then_some("page")>"Settings"</a>
            </nav>
            <EngineStatus/>
        </header>
        <ErrorBanner/>
        <main id="main" class="app-main" tabindex="-1">
            {move || {
                // Read (not just track) the lazy memo, so it computes and subscribes.
                let _key = page_key.get();
                untrack(page)
            }}
        </main>
        <ConfirmDialog/>
    }
}

/// The route a keyboard shortcut goes to: Alt+1…5 switch the views of an open repository,
/// Alt+0 goes to the repositories and Alt+9 to Settings.
fn shortcut_target(route: &Route, ev: &web_sys::KeyboardEvent) -> Option<Route> {
    if !ev.alt_key() || ev.ctrl_key() || ev.meta_key() {
        return None;
    }
    let digit = ev.code().strip_prefix("Digit")?.parse::<u8>().ok()?;
    match digit {
        0 => Some(Route::Repos),
        9 => Some(Route::Settings { connect: None }),
        1..=5 => {
            let name = route.repo()?.to_owned();
            let view = match digit {
                1 => RepoView::Files { path: None },
                2 => RepoView::Changes,
                3 => RepoView::History { path: None },
                4 => RepoView::Branches,
                _ => RepoView::Merge,
            };
            Some(Route::Repo { name, view })
        }
        _ => None,
    }
}
