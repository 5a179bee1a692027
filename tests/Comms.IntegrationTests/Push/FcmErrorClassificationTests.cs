extern alias dispatcher;

using System.Net;
using dispatcher::Comms.Dispatcher.Push;

namespace Comms.IntegrationTests.Push;

/// <summary>FCM HTTP v1 errors, classified on <c>details[].errorCode</c> as in the table of PROVIDERS.md section 4.</summary>
public sealed class FcmErrorClassificationTests
{
    private static FcmError Error(int code, string status, string? errorCode, params string[] badFields) => new(code, status,
    [
        .. errorCode is null ? [] : new[] { new FcmErrorDetail("type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode, null) },
        .. badFields.Length == 0 ? [] : new[]
        {
            new FcmErrorDetail("type.googleapis.com/google.rpc.BadRequest", null, badFields.Select(f => new FcmFieldViolation(f, "Invalid value")).ToList()),
        },
    ]);

    [Fact]
    public void UNREGISTERED_and_an_invalid_token_prune_the_device()
    {
        Assert.IsType<PushResult.DeadToken>(FcmPushProvider.Classify(HttpStatusCode.NotFound, Error(404, "NOT_FOUND", "UNREGISTERED"), null));
        Assert.IsType<PushResult.DeadToken>(FcmPushProvider.Classify(HttpStatusCode.BadRequest, Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"), null));
        Assert.IsType<PushResult.DeadToken>(FcmPushProvider.Classify(HttpStatusCode.BadRequest, Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.token"), null));
    }

    [Fact]
    public void An_invalid_payload_is_a_permanent_rejection_that_prunes_nothing()
    {
        var result = FcmPushProvider.Classify(HttpStatusCode.BadRequest, Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "message.data[0].value"), null);
        var permanent = Assert.IsType<PushResult.Permanent>(result);
        Assert.StartsWith("COMMS_PROVIDER_REJECTED:", permanent.Error, StringComparison.Ordinal);
        Assert.Contains("message.data[0].value", permanent.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "UNAVAILABLE")]
    [InlineData(HttpStatusCode.InternalServerError, "INTERNAL", "INTERNAL")]
    [InlineData(HttpStatusCode.BadGateway, "UNAVAILABLE", null)]
    public void Quota_unavailable_and_internal_are_transient_and_keep_Retry_After(HttpStatusCode status, string grpcStatus, string? errorCode)
    {
        var result = FcmPushProvider.Classify(status, Error((int)status, grpcStatus, errorCode), TimeSpan.FromSeconds(7));
        Assert.Equal(TimeSpan.FromSeconds(7), Assert.IsType<PushResult.Transient>(result).RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR")]
    [InlineData(HttpStatusCode.Forbidden, "PERMISSION_DENIED", "SENDER_ID_MISMATCH")]
    [InlineData(HttpStatusCode.Forbidden, "PERMISSION_DENIED", null)]
    public void Credential_errors_are_configuration_errors_that_prune_nothing(HttpStatusCode status, string grpcStatus, string? errorCode)
    {
        var result = FcmPushProvider.Classify(status, Error((int)status, grpcStatus, errorCode), null);
        Assert.StartsWith("COMMS_PROVIDER_CONFIG:", Assert.IsType<PushResult.Permanent>(result).Error, StringComparison.Ordinal);
    }
}
