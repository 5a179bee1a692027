using System.Security.Cryptography;
using System.Text;
using Comms.Core.Feedback;

namespace Comms.Core.Tests;

/// <summary>The SendGrid Event Webhook signature, on SendGrid's own sample (sendgrid-nodejs eventwebhook.spec.js).</summary>
public sealed class SendGridEventSignatureTests
{
    private const string PublicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
    private const string Timestamp = "1588788367";
    private const string Body = """{"category":"example_payload","event":"test_event","message_id":"message_id"}""";
    private const string Signature = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";

    [Fact]
    public void The_official_sample_verifies()
    {
        using var key = SendGridEventSignature.ImportPublicKey(PublicKey)!;
        Assert.True(SendGridEventSignature.Verify(key, Timestamp, Encoding.UTF8.GetBytes(Body), Signature));
    }

    [Theory]
    [InlineData(Timestamp + "1", Body, Signature)]
    [InlineData(Timestamp, Body + " ", Signature)]
    [InlineData(Timestamp, """{"category":"example_payload","event":"test_event","message_id":"message_Id"}""", Signature)]
    [InlineData(Timestamp, Body, "MEUCIQCuIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=")]
    [InlineData(Timestamp, Body, "not base64!")]
    [InlineData(Timestamp, Body, "")]
    [InlineData(null, Body, Signature)]
    [InlineData(Timestamp, Body, null)]
    public void Anything_altered_or_missing_does_not_verify(string? timestamp, string body, string? signature)
    {
        using var key = SendGridEventSignature.ImportPublicKey(PublicKey)!;
        Assert.False(SendGridEventSignature.Verify(key, timestamp, Encoding.UTF8.GetBytes(body), signature));
    }

    [Fact]
    public void Another_key_does_not_verify_the_sample()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = SendGridEventSignature.ImportPublicKey(Convert.ToBase64String(other.ExportSubjectPublicKeyInfo()))!;
        Assert.False(SendGridEventSignature.Verify(key, Timestamp, Encoding.UTF8.GetBytes(Body), Signature));
    }

    [Theory]
    [InlineData("not base64")]
    [InlineData("AAAA")]
    [InlineData("")]
    public void A_key_that_is_not_a_P256_public_key_is_refused(string value) =>
        Assert.Null(SendGridEventSignature.ImportPublicKey(value));

    [Fact]
    public void A_P384_key_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Null(SendGridEventSignature.ImportPublicKey(Convert.ToBase64String(p384.ExportSubjectPublicKeyInfo())));
    }
}
