using System.Text;

namespace Comms.Core.ContextMail;

/// <summary>
/// A mail to send in a context: to one member (<see cref="To"/>) or, for the owner or an operator, to a broadcast
/// <see cref="Scope"/>. <see cref="Kind"/> <c>admin</c> makes the owner's mail to one member an admin mail (it reaches
/// a member of any status); a member's mail is <c>personal</c>.
/// </summary>
public sealed record MailRequest(string? To, string? Scope, string? Kind, string? Subject, string? Body);

/// <summary>The checks of a mail that need nothing but the mail and the limits (the JSON paths of what is wrong).</summary>
public static class MailRequestValidator
{
    public static Dictionary<string, string[]> Validate(MailRequest request, ContextMailOptions limits, bool operatorSends)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Subject))
        {
            errors["subject"] = ["subject is required."];
        }
        else if (Encoding.UTF8.GetByteCount(request.Subject) > limits.MaxSubjectBytes)
        {
            errors["subject"] = [$"subject is {Encoding.UTF8.GetByteCount(request.Subject)} bytes (UTF-8); at most {limits.MaxSubjectBytes} are allowed."];
        }

        if (string.IsNullOrWhiteSpace(request.Body))
        {
            errors["body"] = ["body is required."];
        }
        else if (Encoding.UTF8.GetByteCount(request.Body) > limits.MaxBodyBytes)
        {
            errors["body"] = [$"body is {Encoding.UTF8.GetByteCount(request.Body)} bytes (UTF-8); at most {limits.MaxBodyBytes} are allowed."];
        }

        if (request.Scope is not null && !ContextMailScopes.All.Contains(request.Scope))
        {
            errors["scope"] = [$"scope must be one of: {string.Join(", ", ContextMailScopes.All)}."];
        }
        else if (request.Scope is not null && request.To is not null)
        {
            errors["to"] = ["Give to (one member) or scope (a broadcast), not both."];
        }
        else if (request.Scope is null && string.IsNullOrWhiteSpace(request.To))
        {
            errors["to"] = [operatorSends ? "to (a member's external id) or scope is required." : "to (a member's external id) is required, or scope for the owner's broadcast."];
        }

        if (request.Kind is not null && request.Kind is not (ContextMailKinds.Personal or ContextMailKinds.Admin))
        {
            errors["kind"] = [$"kind must be {ContextMailKinds.Personal} or {ContextMailKinds.Admin} (system mail is sent by the context's lifecycle)."];
        }
        else if (operatorSends && request.Kind == ContextMailKinds.Personal)
        {
            errors["kind"] = ["An operator's mail is admin mail."];
        }

        return errors;
    }
}
