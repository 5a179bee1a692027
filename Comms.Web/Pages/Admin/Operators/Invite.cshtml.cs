using System.Net.Mail;
using System.Security.Cryptography;
using Comms.Core.Audit;
using Comms.Core.Operators;
using Comms.Core.Tenancy;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Operators;

/// <summary>
/// Inviting an operator (<c>/admin/operators/invite</c>, SysOperator only): email, name and a first role; the account is
/// created with a generated password shown <b>once</b> (to hand over in person or by another channel), with fresh-auth,
/// audited <c>sys.operator.invited</c>. Role and tenant are checked as on the roles page, the messages beside the fields.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class InviteModel(UserManager<Operator> users, OperatorsDbContext db, TenantService tenants, ConsoleFreshAuth freshAuth, AuditLog audit,
    TimeProvider time) : PageModel
{
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public string? TenantId { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public Dictionary<string, string> Errors { get; } = [];
    public string? FreshAuthPrompt { get; private set; }
    public (Guid Id, string Email, string Password)? Created { get; private set; }

    public IActionResult OnGet() => ConsoleOperator.From(User).IsSysOperator ? Page() : Forbid(OperatorConsoleAuth.Scheme);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var email = Email?.Trim() ?? "";
        var tenantId = string.IsNullOrWhiteSpace(TenantId) ? null : TenantId.Trim();
        var allowed = users.Options.User.AllowedUserNameCharacters;
        if (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || email.Length > 256
            || (!string.IsNullOrEmpty(allowed) && email.Any(c => !allowed.Contains(c, StringComparison.Ordinal))))
        {
            Errors["email"] = "Enter an email address (letters, digits and - . _ @ + only).";
        }
        else if (await users.FindByEmailAsync(email) is not null)
        {
            Errors["email"] = "An operator with this email exists already.";
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 100)
        {
            Errors["name"] = "Enter a name (at most 100 characters).";
        }

        if (Role is null || !DetailsModel.AllRoles.Contains(Role))
        {
            Errors["role"] = "Pick one of the roles.";
        }
        else if (Role == OperatorRoles.SysOperator && tenantId is not null)
        {
            Errors["tenant"] = "SysOperator covers every tenant: leave the tenant empty.";
        }
        else if (Role != OperatorRoles.SysOperator && (tenantId is null || await tenants.GetAsync(tenantId, cancellationToken) is null))
        {
            Errors["tenant"] = tenantId is null ? "This role is granted for one tenant: enter its id." : $"There is no tenant '{tenantId}'.";
        }

        if (Errors.Count > 0 || (FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null)
        {
            return Page();
        }

        var password = GeneratePassword();
        var created = await OperatorSeed.EnsureAsync(users, db, email, Name!.Trim(), password, Role!, tenantId, time, cancellationToken);
        await audit.AppendAsync(tenantId, ConsoleOperator.From(User).Actor, "sys.operator.invited", "operator:" + created.Id,
            new { via = "console", role = Role, tenantId }, cancellationToken);
        Response.Headers.CacheControl = "no-store";
        Created = (created.Id, email, password);
        (Email, Name, Role, TenantId) = (null, null, null, null);
        return Page();
    }

    public string? Error(string field) => Errors.GetValueOrDefault(field);

    /// <summary>A random password with every character class (24 characters of base64url plus a fixed tail).</summary>
    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_') + "aA1!";
}
