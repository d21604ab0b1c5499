//! A request's progress: one bar per phase, and the server's messages.

use leptos::prelude::*;

use crate::state::clone::ProgressLog;

/// The phases of a running clone, fetch, pull or push.
#[component]
pub fn ProgressView(
    /// The progress so far.
    #[prop(into)]
    log: Signal<ProgressLog>,
    /// The `data-testid` of the list.
    #[prop(optional)]
    test_id: &'static str,
) -> impl IntoView {
    view! {
        <div class="progress" data-testid=test_id aria-live="polite">
            {move || {
                log.get()
                    .phases
                    .into_iter()
                    .map(|phase| {
                        let text = phase.text();
                        let fraction = phase.fraction();
                        view! {
                            <div class="progress-phase" data-done=phase.done.to_string() data-bytes=phase.bytes.to_string()>
                                <span class="progress-label">{text.clone()}</span>
                                {match fraction {
                                    Some(f) => view! { <progress max="1" value=f.to_string() aria-label=text></progress> }.into_any(),
                                    None => view! { <progress aria-label=text></progress> }.into_any(),
                                }}
                            </div>
                        }
                    })
                    .collect_view()
            }}
            {move || {
                let messages = log.get().messages;
                (!messages.is_empty()).then(|| view! { <pre class="progress-messages">{messages.join("\n")}</pre> })
            }}
        </div>
    }
}
