using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Templates;

/// <summary>Critical templates need a second key with the approver role to publish.</summary>
[Collection(CommsCollection.Name)]
public sealed class TemplateApprovalTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_critical_publish_waits_for_a_second_key_with_the_approver_role()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var editor = tenant.ApiClient(); // admin + editor, not approver
        var submitter = tenant.ApiClient(await tenant.AddApiKeyAsync("editor-approver", "editor", "approver"));
        var approver = tenant.ApiClient(await tenant.AddApiKeyAsync("approver-key", "approver"));
        await (await editor.PutDraftAsync("password.reset", TemplateRequests.EmailDraft("Reset your password", category: "security")))
            .JsonAsync(HttpStatusCode.Created);

        var submitted = await submitter.ActAsync("password.reset", "publish");

        var pending = await submitted.JsonAsync(HttpStatusCode.Accepted);
        Assert.False(pending.GetProperty("published").GetBoolean());
        Assert.Contains("security", pending.GetProperty("approvalReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(TemplateStatus.PendingApproval, pending.GetProperty("template").GetProperty("status").GetString());
        var submittedBy = pending.GetProperty("template").GetProperty("submittedBy").GetString();
        await (await editor.GetAsync(TemplateRequests.Path("password.reset") + "/versions/1")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");
        await (await editor.ActAsync("password.reset", "publish")).ProblemAsync(HttpStatusCode.Conflict, TemplateCodes.Pending);

        // A key without the approver role, and the key that submitted, are refused.
        await (await editor.ActAsync("password.reset", "approve")).ProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        await (await submitter.ActAsync("password.reset", "approve")).ProblemAsync(HttpStatusCode.Forbidden, TemplateCodes.SelfApproval);

        var approved = await approver.ActAsync("password.reset", "approve");

        var version = await approved.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/v1/templates/password.reset/email/en-US/versions/1", approved.Headers.Location?.OriginalString);
        Assert.Equal(1, version.GetProperty("version").GetInt32());
        var template = version.GetProperty("template");
        Assert.Equal(TemplateStatus.Published, template.GetProperty("status").GetString());
        Assert.Equal(submittedBy, template.GetProperty("submittedBy").GetString());
        Assert.StartsWith("api-key:", template.GetProperty("approvedBy").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(submittedBy, template.GetProperty("approvedBy").GetString());
        await (await approver.ActAsync("password.reset", "approve")).ProblemAsync(HttpStatusCode.NotFound, "COMMS_NOT_FOUND");

        await using var db = fixture.CreateDbContext();
        var row = await db.Templates.AsNoTracking().SingleAsync(t => t.TenantId == tenant.Id && t.Name == "password.reset");
        Assert.Equal((1, TemplateStatus.Published), (row.Version!.Value, row.Status));
        Assert.NotNull(row.ApprovedBy);
    }

    [Fact]
    public async Task Editing_a_pending_draft_sends_it_back_to_draft_and_a_rejection_does_too()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var editor = tenant.ApiClient();
        var approver = tenant.ApiClient(await tenant.AddApiKeyAsync("approver-key", "approver"));
        await (await editor.PutDraftAsync("terms", TemplateRequests.EmailDraft("New terms", category: "legal"))).JsonAsync(HttpStatusCode.Created);
        await (await editor.ActAsync("terms", "publish")).JsonAsync(HttpStatusCode.Accepted);

        var edited = await (await editor.PutDraftAsync("terms", TemplateRequests.EmailDraft("New terms (fixed)", category: "legal"))).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(TemplateStatus.Draft, edited.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, edited.GetProperty("submittedBy").ValueKind);
        await (await approver.ActAsync("terms", "approve")).ProblemAsync(HttpStatusCode.Conflict, TemplateCodes.NotPending);

        await (await editor.ActAsync("terms", "publish")).JsonAsync(HttpStatusCode.Accepted);
        var rejected = await (await approver.ActAsync("terms", "reject")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(TemplateStatus.Draft, rejected.GetProperty("status").GetString());
        Assert.Equal("New terms (fixed)", rejected.GetProperty("content").GetProperty("subject").GetString());
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Templates.AnyAsync(t => t.TenantId == tenant.Id && t.Name == "terms" && t.Version != null));
    }

    [Fact]
    public async Task A_tenant_category_marked_critical_and_a_rule_in_a_critical_category_need_approval()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await using (var db = fixture.CreateDbContext())
        {
            db.Categories.Add(new Category { TenantId = tenant.Id, Name = "payouts", Critical = true, CreatedAt = DateTimeOffset.UtcNow });
            db.RoutingRules.Add(new RoutingRule
            {
                Id = Guid.CreateVersion7(), TenantId = tenant.Id, EventName = "account.locked", TemplateName = "account.locked",
                Category = Categories.Security, Channels = ["email"], CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var api = tenant.ApiClient();
        await (await api.PutDraftAsync("payout.sent", TemplateRequests.EmailDraft(category: "payouts"))).JsonAsync(HttpStatusCode.Created);
        await (await api.PutDraftAsync("account.locked", TemplateRequests.EmailDraft(category: null))).JsonAsync(HttpStatusCode.Created);
        await (await api.PutDraftAsync("newsletter", TemplateRequests.EmailDraft(category: "promotions"))).JsonAsync(HttpStatusCode.Created);

        var payout = await (await api.ActAsync("payout.sent", "publish")).JsonAsync(HttpStatusCode.Accepted);
        var locked = await (await api.ActAsync("account.locked", "publish")).JsonAsync(HttpStatusCode.Accepted);
        await (await api.ActAsync("newsletter", "publish")).JsonAsync(HttpStatusCode.Created);

        Assert.Contains("payouts", payout.GetProperty("approvalReason").GetString(), StringComparison.Ordinal);
        Assert.Contains("account.locked", locked.GetProperty("approvalReason").GetString(), StringComparison.Ordinal);
    }
}
