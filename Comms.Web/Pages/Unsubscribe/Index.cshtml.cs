using Comms.Core.Unsubscribe;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Unsubscribe;

/// <summary>
/// Where an email's unsubscribe link leads (<c>/unsubscribe/{token}</c>); the signed token is the only credential, no
/// login. <c>POST</c> with the form field <c>List-Unsubscribe=One-Click</c> is RFC 8058's one-click request, sent by the
/// mail client (Gmail, Yahoo, Apple Mail…) when the user presses its own "Unsubscribe" button: it turns the link's
/// category off on email and answers 200 — never a redirect (a redirected POST becomes a GET).
/// <para>
/// That POST takes no antiforgery token, by design: it comes from the mail provider's servers, which hold no cookie
/// or token of ours and never saw our page, and RFC 8058 forbids needing any. What authorises it is the token, which
/// only the mailbox the email went to knows, and what it can do is narrow: opt that one user out of that one category.
/// A <c>GET</c> never changes anything (link scanners and prefetchers open links); it shows a page to confirm, to turn
/// off all non-critical email instead, or to undo — those buttons are same-origin forms and do check antiforgery.
/// </para>
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
public sealed class IndexModel(UnsubscribeService unsubscribe, IAntiforgery antiforgery) : PageModel
{
    public const string OneClickField = "List-Unsubscribe";
    public const string OneClickValue = "One-Click";

    public UnsubscribeView? View { get; private set; }

    /// <summary>What just happened: <c>confirm</c>, <c>all</c>, <c>undo</c>, <c>one-click</c>, or null for a plain visit.</summary>
    public string? Done { get; private set; }

    /// <summary>The categories the last action changed: what the undo button restores.</summary>
    public IReadOnlyList<string> Changed { get; private set; } = [];

    /// <summary>Why the link does not work (the page shows it with its 4xx status), or null.</summary>
    public (string Title, string Detail)? Failure { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        NoStore();
        if (Claims(token) is not { } claims)
        {
            return Page();
        }

        View = await unsubscribe.ViewAsync(claims, cancellationToken);
        return View is null ? Gone() : Page();
    }

    /// <summary>RFC 8058 one-click: the mail client's POST, body <c>List-Unsubscribe=One-Click</c> (form-encoded or multipart).</summary>
    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        NoStore();
        if (Claims(token) is not { } claims)
        {
            return Page();
        }

        if (!Request.HasFormContentType || Request.Form[OneClickField] != OneClickValue)
        {
            return Fail(StatusCodes.Status400BadRequest, "This is not a one-click unsubscribe request.",
                "A one-click request posts the form field List-Unsubscribe=One-Click (RFC 8058). Nothing was changed.");
        }

        return Show("one-click", await unsubscribe.OptOutAsync(claims, cancellationToken));
    }

    public Task<IActionResult> OnPostConfirmAsync(string token, CancellationToken cancellationToken) =>
        FromPageAsync(token, "confirm", claims => unsubscribe.OptOutAsync(claims, cancellationToken));

    public Task<IActionResult> OnPostAllAsync(string token, CancellationToken cancellationToken) =>
        FromPageAsync(token, "all", claims => unsubscribe.OptOutAllAsync(claims, cancellationToken));

    public Task<IActionResult> OnPostUndoAsync(string token, [FromForm] List<string>? categories, CancellationToken cancellationToken) =>
        FromPageAsync(token, "undo", claims => unsubscribe.ResubscribeAsync(claims, categories ?? [], cancellationToken));

    /// <summary>The page's own buttons: same-origin forms, so they must carry the antiforgery token.</summary>
    private async Task<IActionResult> FromPageAsync(string token, string action, Func<UnsubscribeClaims, Task<UnsubscribeResult>> act)
    {
        NoStore();
        if (Claims(token) is not { } claims)
        {
            return Page();
        }

        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            return Fail(StatusCodes.Status400BadRequest, "This form has expired.",
                "Open the unsubscribe link from your email again and press the button there. Nothing was changed.");
        }

        return Show(action, await act(claims));
    }

    private IActionResult Show(string action, UnsubscribeResult result)
    {
        switch (result)
        {
            case UnsubscribeResult.Done done:
                View = done.View;
                Done = action;
                Changed = done.Changed;
                return Page();
            case UnsubscribeResult.Locked:
                return Fail(StatusCodes.Status422UnprocessableEntity, "These notices cannot be turned off.",
                    "This category is critical (such as security or legal notices), so it always reaches you. Nothing was changed. (COMMS_PREF_LOCKED)");
            case UnsubscribeResult.Invalid:
                return Fail(StatusCodes.Status400BadRequest, "That could not be undone.",
                    "The form named categories that do not exist. Nothing was changed.");
            default:
                return Gone();
        }
    }

    /// <summary>The token's claims, or null with the failure page set (400 malformed, 404 not ours, 410 expired).</summary>
    private UnsubscribeClaims? Claims(string token)
    {
        var check = unsubscribe.Check(token);
        switch (check.State)
        {
            case UnsubscribeTokenState.Valid:
                return check.Claims;
            case UnsubscribeTokenState.Expired:
                Fail(StatusCodes.Status410Gone, "This unsubscribe link has expired.",
                    "Links in emails work for a limited time. Use the link in a more recent email, or change your notification settings in the product you use. Nothing was changed.");
                return null;
            case UnsubscribeTokenState.Forged:
                Fail(StatusCodes.Status404NotFound, "This unsubscribe link is not valid.",
                    "It may have been changed or mistyped. Use the link exactly as it is in your email. Nothing was changed.");
                return null;
            default:
                Fail(StatusCodes.Status400BadRequest, "This unsubscribe link is incomplete.",
                    "Part of it may be missing (some mail programs cut long links). Copy the whole link from your email into the address bar. Nothing was changed.");
                return null;
        }
    }

    private PageResult Gone() => Fail(StatusCodes.Status404NotFound, "There is nothing to unsubscribe from here any more.",
        "The account or the kind of email this link was for no longer exists. Nothing was changed.");

    private PageResult Fail(int status, string title, string detail)
    {
        Failure = (title, detail);
        View = null;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>The page answers for one user: never cached or stored by the browser or a proxy.</summary>
    private void NoStore() => Response.Headers.CacheControl = "no-store";

    public static string Label(string category) => Preferences.PreferenceLabels.Category(category);
}
