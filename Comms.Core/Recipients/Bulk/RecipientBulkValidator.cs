using Comms.Core.Preferences;

namespace Comms.Core.Recipients.Bulk;

/// <summary>A valid item of a bulk sync, ready to store: the recipient change, its devices and its preference changes.</summary>
public sealed record BulkRecipientPlan(
    int Index, RecipientChanges Changes, IReadOnlyList<(string Provider, string Token)> Devices, IReadOnlyList<PreferenceChange> Preferences);

/// <summary>The checked items of a bulk sync: the valid ones to store and the errors of the others, by index.</summary>
public sealed record BulkRecipientValidation(IReadOnlyList<BulkRecipientPlan> Valid, IReadOnlyDictionary<int, Dictionary<string, string[]>> Invalid);

/// <summary>
/// Checks each item of a bulk sync with the rules of the single endpoints (<see cref="RecipientValidator"/>,
/// <see cref="DeviceService.Validate"/>, <see cref="PreferenceCenter.Validate"/>), its errors named by JSON path under
/// <c>recipients[i].</c>. An external id or device token given again later in the same call makes the later item invalid.
/// Pure, so the rules are unit-tested without I/O.
/// </summary>
public static class RecipientBulkValidator
{
    public const int MaxRecipients = 1000;
    public const int MaxDevicesPerRecipient = 20;
    public const string Field = "recipients";

    public static BulkRecipientValidation Validate(
        IReadOnlyList<BulkRecipientItem?> items, IReadOnlyDictionary<string, CategoryInfo> categories)
    {
        var valid = new List<BulkRecipientPlan>(items.Count);
        var invalid = new Dictionary<int, Dictionary<string, string[]>>();
        var externalIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var tokens = new Dictionary<(string, string), string>();
        for (var i = 0; i < items.Count; i++)
        {
            var prefix = $"{Field}[{i}]";
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

            if (items[i] is not { } item)
            {
                Add(prefix, "Each recipient is a JSON object: { \"externalId\": \"...\", \"email\": \"...\", ... }.");
                invalid[i] = errors;
                continue;
            }

            var recipientErrors = RecipientValidator.Validate(item.ToRequest(), null, categories, out var changes);
            foreach (var (field, messages) in recipientErrors)
            {
                errors[$"{prefix}.{field}"] = messages;
            }

            var devices = ValidateDevices(item.Devices, prefix, Add);
            var preferences = ValidatePreferences(item.Preferences, categories, prefix, Add);
            if (changes is not null && externalIds.TryGetValue(changes.ExternalId, out var first))
            {
                Add($"{prefix}.externalId", $"{RecipientFormats.Quote(changes.ExternalId)} is already at {Field}[{first}] in this call; give each recipient once.");
            }

            foreach (var (d, device) in devices)
            {
                if (tokens.TryGetValue(device, out var where))
                {
                    Add($"{prefix}.devices[{d}].token", $"This device is already at {where} in this call; give each device once.");
                }
            }

            if (changes is null || errors.Count > 0)
            {
                invalid[i] = errors;
                continue;
            }

            externalIds[changes.ExternalId] = i;
            foreach (var (d, device) in devices)
            {
                tokens[device] = $"{prefix}.devices[{d}]";
            }

            valid.Add(new BulkRecipientPlan(i, changes, [.. devices.Select(d => d.Device)], preferences));
        }

        return new BulkRecipientValidation(valid, invalid);
    }

    /// <summary>The valid devices with their index in the item, the token trimmed as the single registration does.</summary>
    private static List<(int Index, (string Provider, string Token) Device)> ValidateDevices(
        List<DeviceRequest>? devices, string prefix, Action<string, string> add)
    {
        var valid = new List<(int, (string, string))>();
        if (devices is null)
        {
            return valid;
        }

        if (devices.Count > MaxDevicesPerRecipient)
        {
            add($"{prefix}.devices", $"At most {MaxDevicesPerRecipient} devices per recipient in one call.");
            return valid;
        }

        for (var d = 0; d < devices.Count; d++)
        {
            var errors = DeviceService.Validate(devices[d]);
            foreach (var (field, messages) in errors)
            {
                foreach (var message in messages)
                {
                    add(field == "body" ? $"{prefix}.devices[{d}]" : $"{prefix}.devices[{d}].{field}", message);
                }
            }

            if (errors.Count > 0)
            {
                continue;
            }

            var device = (devices[d].Provider!, devices[d].Token!.Trim());
            if (valid.Any(v => v.Item2 == device))
            {
                add($"{prefix}.devices[{d}].token", "This device is given more than once.");
            }
            else
            {
                valid.Add((d, device));
            }
        }

        return valid;
    }

    private static List<PreferenceChange> ValidatePreferences(
        List<PreferenceChange>? preferences, IReadOnlyDictionary<string, CategoryInfo> categories, string prefix, Action<string, string> add)
    {
        if (preferences is null)
        {
            return [];
        }

        var validation = PreferenceCenter.Validate(new PreferenceUpdate(preferences, null, null), categories);
        foreach (var (field, messages) in validation.Errors)
        {
            foreach (var message in messages)
            {
                add($"{prefix}.{field}", message);
            }
        }

        foreach (var locked in validation.Locked)
        {
            add($"{prefix}.{locked.Field}", $"'{locked.Category}' on {locked.Channel} is critical and cannot be turned off.");
        }

        return validation.Update is { } update ? [.. update.Changes] : [];
    }
}
