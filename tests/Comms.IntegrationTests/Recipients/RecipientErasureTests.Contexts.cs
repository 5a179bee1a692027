using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Privacy;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Recipients;

/// <summary>GDPR erasure (SPEC S11) of a person in contexts and in-context mail.</summary>
public sealed partial class RecipientErasureTests
{
    [Fact]
    public async Task An_erasure_clears_the_person_from_contexts_and_in_context_mail()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var person = Person.Distinctive();
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync($"/v1/recipients/{person.ExternalId}", new { name = person.Name, email = person.Email })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/recipients/host", new { name = "Host" })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/contexts/game", new { kind = "game", name = "Game", ownerExternalId = "host" })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"/v1/contexts/game/members/{person.ExternalId}", new { status = "active", displayName = person.Name }))
            .EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/contexts/theirs", new { kind = "game", name = "Theirs", ownerExternalId = person.ExternalId }))
            .EnsureSuccessStatusCode();
        // Mail to them (their name is snapshotted) and mail from them (their own words).
        (await api.PostAsJsonAsync("/v1/contexts/game/mail", new { to = person.ExternalId, subject = "Welcome", body = "Glad you joined." }))
            .EnsureSuccessStatusCode();
        (await tenant.UserClient(person.ExternalId).PostAsJsonAsync("/me/contexts/game/mail", new
        {
            to = "host", subject = "About " + person.PayloadName, body = "My team is " + person.Attribute + ".",
        })).EnsureSuccessStatusCode();
        Assert.NotEmpty(await TablesHoldingAsync(person.Traces));

        (await api.PostAsync($"/v1/recipients/{person.ExternalId}/erase", null)).EnsureSuccessStatusCode();

        Assert.Empty(await TablesHoldingAsync(person.Traces));
        // The context and its mail stay for the others: the host still has one mail, now without the person's words.
        var inbox = await tenant.UserClient("host").GetFromJsonAsync<JsonElement>("/me/contexts/game/mail");
        var mail = Assert.Single(inbox.GetProperty("items").EnumerateArray());
        Assert.Equal(ErasedIds.Text, mail.GetProperty("subject").GetString());
    }
}
