extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using api::Comms.Api.OpenApi;
using Comms.Core.Data;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// The API reference tells the truth: the served document is the committed one (every contract change shows
/// in review), each operation declares the credential it takes, and every request example works as it stands
/// against the development seed.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class OpenApiContractTests(CommsFixture fixture)
{
    /// <summary>Where the committed document lives; <c>scripts/openapi.sh</c> rewrites it (and the client) from the served one.</summary>
    public static string CommittedPath => Path.Combine(RepositoryRoot(), "docs", "openapi", "v1.json");

    [Fact]
    public async Task The_served_document_is_the_committed_one()
    {
        var served = Normalize(await fixture.Api.CreateClient().GetStringAsync("/openapi/v1.json"));
        if (Environment.GetEnvironmentVariable("COMMS_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CommittedPath)!);
            await File.WriteAllTextAsync(CommittedPath, served);
        }

        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing: run scripts/openapi.sh");
        var committed = Normalize(await File.ReadAllTextAsync(CommittedPath));
        Assert.True(committed == served,
            "The API's OpenAPI document differs from docs/openapi/v1.json. If the change is intended, run scripts/openapi.sh " +
            "(it rewrites the document and regenerates Comms.Client) and commit the result.");
    }

    [Fact]
    public async Task The_generated_client_is_the_one_of_the_committed_document()
    {
        var root = RepositoryRoot();
        var output = Directory.CreateTempSubdirectory("comms-client-").FullName;
        try
        {
            await RunAsync(root, "tool", "restore");
            await RunAsync(root, "kiota", "generate", "-l", "CSharp", "-c", "CommsApiClient", "-n", "Comms.Client.Generated",
                "-d", CommittedPath, "-o", output, "--exclude-backward-compatible", "--clean-output", "--log-level", "Error");

            var committed = GeneratedFiles(Path.Combine(root, "Comms.Client", "Generated"));
            var fresh = GeneratedFiles(output);
            Assert.True(committed.Count > 50, $"only {committed.Count} generated files in Comms.Client/Generated");
            var stale = committed.Keys.Union(fresh.Keys).Order(StringComparer.Ordinal)
                .Where(file => file != "kiota-lock.json" && committed.GetValueOrDefault(file) != fresh.GetValueOrDefault(file))
                .ToList();
            Assert.True(stale.Count == 0,
                "Comms.Client/Generated was not generated from docs/openapi/v1.json (run scripts/openapi.sh): " + string.Join(", ", stale.Take(20)));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task Posting_an_event_documents_its_422_with_every_code_and_the_problem_schema()
    {
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var responses = document.GetProperty("paths").GetProperty("/v1/events").GetProperty("post").GetProperty("responses");

        var unprocessable = responses.GetProperty("422");
        var schema = unprocessable.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
        Assert.Equal("#/components/schemas/ProblemDetails", schema.GetProperty("$ref").GetString());
        Assert.Equal(["detail", "instance", "status", "title", "type"],
            Resolve(document, schema).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        var description = unprocessable.GetProperty("description").GetString();
        foreach (var code in new[] { "COMMS_UNKNOWN_EVENT", "COMMS_UNKNOWN_CATEGORY", "COMMS_TEMPLATE_MISSING_VAR", "COMMS_PAYLOAD_INVALID", "COMMS_IDEMPOTENCY_KEY_REUSED" })
        {
            Assert.Contains(code, description, StringComparison.Ordinal);
        }

        Assert.Equal(["202", "400", "401", "403", "413", "415", "422", "429", "503"], responses.EnumerateObject().Select(r => r.Name));
        Assert.Contains("COMMS_VALIDATION", responses.GetProperty("400").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_operation_declares_its_credential_and_posting_an_event_is_documented_as_202_with_its_body()
    {
        var document = await fixture.Api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(["apiKey", "operatorKey", "twilioSignature", "userToken"], schemes.EnumerateObject().Select(s => s.Name).Order());

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var expected = path.Name.StartsWith("/v1/", StringComparison.Ordinal) ? SecuritySchemes.ApiKey
                : path.Name.StartsWith("/me/", StringComparison.Ordinal) ? SecuritySchemes.UserToken
                : path.Name.StartsWith("/sys/", StringComparison.Ordinal) ? SecuritySchemes.OperatorKey
                : path.Name.StartsWith("/webhooks/twilio/", StringComparison.Ordinal) ? SecuritySchemes.TwilioSignature : null;
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (path.Name == "/sys/auth/token")
                {
                    // Signing in takes no credential: it is how an operator gets one.
                    Assert.False(operation.Value.TryGetProperty("security", out var none) && none.GetArrayLength() > 0);
                    continue;
                }

                var security = operation.Value.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject()).Select(r => r.Name);
                // A context's host routes take a key of the tenant or the context owner's user token (either one).
                var hostRoute = path.Name.StartsWith("/v1/contexts/", StringComparison.Ordinal) && security.Count() == 2;
                Assert.True(security.SequenceEqual(hostRoute ? [SecuritySchemes.ApiKey, SecuritySchemes.UserToken] : [expected!]),
                    $"{operation.Name.ToUpperInvariant()} {path.Name} declares {string.Join(",", security)}");
                Assert.True(operation.Value.GetProperty("responses").TryGetProperty("401", out _), $"{operation.Name} {path.Name} has no 401");
            }
        }

        var post = document.GetProperty("paths").GetProperty("/v1/events").GetProperty("post").GetProperty("responses");
        Assert.False(post.TryGetProperty("200", out _));
        var accepted = post.GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var schema = Resolve(document, accepted);
        Assert.Equal(["id", "status"], schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Every_request_body_has_an_example_and_every_example_works_against_the_development_seed()
    {
        await fixture.SeedDemoAsync();

        var api = fixture.Api.CreateClient();
        var document = await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var withBodies = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("requestBody", out _))
                .Select(o => $"{o.Name.ToUpperInvariant()} {p.Name[1..]}"))
            .ToList();
        Assert.Equal(withBodies.Order(), RequestExamples.All.Keys.Order());

        var values = new Dictionary<string, string>
        {
            ["externalId"] = "alice", ["name"] = DevelopmentSeed.WelcomeEvent, ["channel"] = "email", ["locale"] = "en-US",
            ["version"] = "1", ["eventName"] = DevelopmentSeed.WelcomeEvent, ["id"] = DevelopmentSeed.TenantId, ["key"] = "demo-party",
        };
        var failures = new List<string>();
        using (var admin = fixture.Api.CreateClient())
        {
            // Routes of one webhook endpoint take its uuid: one of the demo tenant's, registered like the POST example does.
            admin.DefaultRequestHeaders.Authorization = new("Bearer", DevelopmentSeed.DefaultApiKey);
            var webhook = await admin.PostAsync("/v1/webhook-endpoints",
                new StringContent(RequestExamples.All["POST v1/webhook-endpoints"], Encoding.UTF8, "application/json"));
            values["webhookId"] = (await webhook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

            // Routes of one scheduled message take its uuid: the demo context and a message of it, made like the examples do.
            await admin.PutAsync("/v1/contexts/demo-party",
                new StringContent(RequestExamples.All["PUT v1/contexts/{key}"], Encoding.UTF8, "application/json"));
            var message = await admin.PostAsync("/v1/contexts/demo-party/messages",
                new StringContent(RequestExamples.All["POST v1/contexts/{key}/messages"], Encoding.UTF8, "application/json"));
            var created = await message.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(message.IsSuccessStatusCode, created.ToString());
            values["messageId"] = created.GetProperty("id").GetString()!;
        }

        using (var sys = fixture.Api.CreateClient())
        {
            // Banner routes take a template's and an activation's uuid: made like the examples do (the activation example's
            // template id is a placeholder, replaced by the template made here).
            sys.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);
            var template = await sys.PostAsync("/sys/banner-templates",
                new StringContent(RequestExamples.All["POST sys/banner-templates"], Encoding.UTF8, "application/json"));
            values["templateId"] = (await template.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var activation = await sys.PostAsync("/sys/banner-activations", new StringContent(
                RequestExamples.All["POST sys/banner-activations"].Replace(RequestExamples.ExampleBannerTemplateId, values["templateId"], StringComparison.Ordinal),
                Encoding.UTF8, "application/json"));
            values["activationId"] = (await activation.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        // A release note's routes take its uuid: a note of another version than the examples'.
        using (var sys = fixture.Api.CreateClient())
        {
            sys.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);
            var note = await sys.PostAsync("/sys/release-notes", new StringContent("""{"version":"0.0.1-contract","title":"Contract"}""", Encoding.UTF8, "application/json"));
            var created = await note.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(note.IsSuccessStatusCode, created.ToString());
            values["releaseNoteId"] = created.GetProperty("id").GetString()!;

            // Announcing takes a published, public note with channels: another one, published here.
            var announced = await sys.PostAsync("/sys/release-notes", new StringContent(
                """{"version":"0.0.2-contract","title":"Contract","visibility":"public","channels":["email"]}""", Encoding.UTF8, "application/json"));
            var announcedNote = await announced.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(announced.IsSuccessStatusCode, announcedNote.ToString());
            values["announcedNoteId"] = announcedNote.GetProperty("id").GetString()!;
            Assert.True((await sys.PostAsync($"/sys/release-notes/{values["announcedNoteId"]}/publish", null)).IsSuccessStatusCode);

            // A broadcast's routes take its uuid: a draft made like the example does.
            var broadcast = await sys.PostAsync("/sys/broadcasts", new StringContent(RequestExamples.All["POST sys/broadcasts"], Encoding.UTF8, "application/json"));
            var draft = await broadcast.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(broadcast.IsSuccessStatusCode, draft.ToString());
            values["broadcastId"] = draft.GetProperty("id").GetString()!;
        }

        // The operator inbox's routes take a thread's uuid (a mail posted as SendGrid would), assign an operator's.
        using (var sendGrid = fixture.Api.CreateClient())
        {
            var mail = await sendGrid.SendAsync(Sys.InboundParsePost.Mail("contract@example.net", "Contract", $"{Guid.NewGuid():N}@example.net").Request());
            values["threadId"] = (await mail.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("threadId").GetString()!;
            values["operatorId"] = (await Auth.OperatorTestSupport.CreateAsync(fixture, Comms.Core.Operators.OperatorRoles.SysOperator)).Id.ToString();
        }

        foreach (var (operation, example) in RequestExamples.All)
        {
            var (method, route) = (operation[..operation.IndexOf(' ')], operation[(operation.IndexOf(' ') + 1)..]);
            var path = "/" + System.Text.RegularExpressions.Regex.Replace(route, @"\{(\w+)\}", m =>
                route.StartsWith("v1/categories", StringComparison.Ordinal) && m.Groups[1].Value == "name" ? "orders"
                : route.StartsWith("v1/webhook-endpoints", StringComparison.Ordinal) && m.Groups[1].Value == "id" ? values["webhookId"]
                : route.StartsWith("sys/users", StringComparison.Ordinal) ? Guid.CreateVersion7().ToString()
                : route == "sys/release-notes/{id}/announce" ? values["announcedNoteId"]
                : route.StartsWith("sys/release-notes", StringComparison.Ordinal) && m.Groups[1].Value == "id" ? values["releaseNoteId"]
                : route.StartsWith("sys/broadcasts", StringComparison.Ordinal) && m.Groups[1].Value == "id" ? values["broadcastId"]
                : values[m.Groups[1].Value]);
            var body = example.Replace(RequestExamples.ExampleBannerTemplateId, values["templateId"], StringComparison.Ordinal)
                .Replace(RequestExamples.ExampleOperatorId, values["operatorId"], StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new("Bearer", route.StartsWith("me/", StringComparison.Ordinal) ? fixture.UserToken(DevelopmentSeed.TenantId, "alice")
                : route.StartsWith("sys/", StringComparison.Ordinal) ? CommsFixture.SysKey : DevelopmentSeed.DefaultApiKey);
            var response = await api.SendAsync(request);
            // Confirming a TOTP code needs an enrolment under way and the authenticator's current code (OperatorTotpTests).
            if (!response.IsSuccessStatusCode && !(operation == "POST sys/tenants" && response.StatusCode == HttpStatusCode.Conflict)
                && !(operation == "POST sys/auth/totp/confirm" && response.StatusCode == HttpStatusCode.Unauthorized)
                // A direct message is sent by an operator (token), never by the platform key (SysDirectMessagesTests sends it).
                && !(operation == "POST sys/users/{id}/messages" && response.StatusCode == HttpStatusCode.Forbidden))
            {
                failures.Add($"{operation}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.Empty(failures);
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;

    private static Dictionary<string, string> GeneratedFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ".kiota.log")
            .ToDictionary(f => Path.GetRelativePath(directory, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);

    /// <summary>Runs a dotnet command (a local tool) to its end, failing with its output when it fails.</summary>
    private static async Task RunAsync(string directory, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The generator works offline: no update check, no telemetry.
        start.Environment["KIOTA_UPDATE__DISABLED"] = "true";
        start.Environment["KIOTA_CLI_TELEMETRY_OPTOUT"] = "true";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited {process.ExitCode}: {await stdout}{await stderr}");
    }

    private static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Comms.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Comms.sln not found above " + AppContext.BaseDirectory);
    }
}
