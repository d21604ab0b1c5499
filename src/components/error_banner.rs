//! The one place errors are shown: a banner with the error's title in words and its detail
//! folded away.

use leptos::prelude::*;

use crate::session::ErrorCtx;

/// The error banner (shown while the [`ErrorCtx`] holds an error).
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let error = expect_context::<ErrorCtx>();
    move || {
        error.0.get().map(|err| {
            let has_detail = !err.detail.is_empty();
            view! {
                <div class="error-banner" role="alert" data-testid="error-banner">
                    <div class="error-banner-body">
                        <strong class="error-title" data-testid="error-title">{err.title}</strong>
                        <Show when=move || has_detail>
                            <details class="error-detail">
                                <summary>"Details"</summary>
                                <pre data-testid="error-detail">{err.detail.clone()}</pre>
                            </details>
                        </Show>
                    </div>
                    <button
                        class="button-quiet"
                        aria-label="Dismiss the error"
                        data-testid="error-dismiss"
                        on:click=move |_| error.clear()
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
