//! A modal question ("Delete demo?") with Cancel and a button that goes ahead.

use leptos::prelude::*;

use crate::session::ConfirmCtx;

/// The confirm dialog (shown while the [`ConfirmCtx`] holds a question).
#[component]
pub fn ConfirmDialog() -> impl IntoView {
    let confirm = expect_context::<ConfirmCtx>();
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if confirm.0.with(Option::is_some) {
            if let Some(button) = cancel_ref.get() {
                let _ = button.focus();
            }
        }
    });
    move || {
        confirm.0.get().map(|request| {
            let go = request.on_confirm;
            view! {
                <div class="modal-backdrop">
                    <div
                        class="modal"
                        role="alertdialog"
                        aria-modal="true"
                        aria-labelledby="confirm-message"
                        data-testid="confirm-dialog"
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Escape" {
                                confirm.0.set(None);
                            }
                        }
                    >
                        <p id="confirm-message">{request.message}</p>
                        <div class="modal-actions">
                            <button
                                class="button-secondary"
                                node_ref=cancel_ref
                                data-testid="confirm-cancel"
                                on:click=move |_| confirm.0.set(None)
                            >
                                "Cancel"
                            </button>
                            <button
                                class="button-danger"
                                data-testid="confirm-ok"
                                on:click=move |_| {
                                    confirm.0.set(None);
                                    go.run(());
                                }
                            >
                                {request.confirm_label}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}
