namespace Comms.Api.Sms;

/// <summary>What an inbound SMS asks for.</summary>
public enum SmsKeyword
{
    None,
    Stop,
    Start,
    Help,
}

/// <summary>
/// The opt-out and help keywords of inbound SMS, as Twilio and the carriers define them: the whole message,
/// trimmed, in any case. Anything else is an ordinary reply and changes nothing.
/// </summary>
public static class SmsKeywords
{
    private static readonly Dictionary<string, SmsKeyword> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["STOP"] = SmsKeyword.Stop, ["STOPALL"] = SmsKeyword.Stop, ["UNSUBSCRIBE"] = SmsKeyword.Stop, ["CANCEL"] = SmsKeyword.Stop,
        ["END"] = SmsKeyword.Stop, ["QUIT"] = SmsKeyword.Stop, ["OPTOUT"] = SmsKeyword.Stop, ["REVOKE"] = SmsKeyword.Stop,
        ["START"] = SmsKeyword.Start, ["UNSTOP"] = SmsKeyword.Start, ["YES"] = SmsKeyword.Start,
        ["HELP"] = SmsKeyword.Help, ["INFO"] = SmsKeyword.Help,
    };

    public static SmsKeyword Parse(string? body) =>
        body is not null && Words.TryGetValue(body.Trim().TrimEnd('.', '!'), out var keyword) ? keyword : SmsKeyword.None;
}
