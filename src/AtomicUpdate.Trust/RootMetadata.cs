using System.Text.Json.Nodes;

namespace AtomicUpdate.Trust;

/// <summary>Root metadata: the trusted keys and thresholds of every top-level role.</summary>
public sealed class RootMetadata : RoleMetadata
{
    /// <summary>Creates a root with no keys; add them with <see cref="AddKey"/>.</summary>
    public RootMetadata(long version, DateTimeOffset expires, bool consistentSnapshot = true)
        : base(version, expires)
    {
        ConsistentSnapshot = consistentSnapshot;
        foreach (var role in RoleNames.All)
        {
            Roles[role] = new RoleKeys([], 1);
        }
    }

    public override string Role => RoleNames.Root;

    /// <summary>True when files are published as <c>N.snapshot.json</c>, <c>N.targets.json</c> and <c>&lt;sha256&gt;.&lt;name&gt;</c>.</summary>
    public bool ConsistentSnapshot { get; set; }

    /// <summary>Public keys by the key id the roles use.</summary>
    public Dictionary<string, Key> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>The four top-level roles by name.</summary>
    public Dictionary<string, RoleKeys> Roles { get; } = new(StringComparer.Ordinal);

    /// <summary>The keys and threshold of a top-level role.</summary>
    public RoleKeys GetRole(string role) =>
        Roles.TryGetValue(role, out var keys)
            ? keys
            : throw new ArgumentException($"The root metadata has no role named \"{role}\".", nameof(role));

    /// <summary>Trusts <paramref name="key"/> for <paramref name="role"/>, filed under its spec-defined key id.</summary>
    public void AddKey(string role, Key key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var roleKeys = GetRole(role);
        Keys[key.KeyId] = key;
        if (!roleKeys.KeyIds.Contains(key.KeyId, StringComparer.Ordinal))
        {
            roleKeys.KeyIds.Add(key.KeyId);
        }
    }

    /// <summary>Stops trusting a key for a role; drops the key itself when no role uses it any more.</summary>
    /// <returns>False when the role did not list the key.</returns>
    public bool RevokeKey(string role, string keyId)
    {
        if (!GetRole(role).KeyIds.Remove(keyId))
        {
            return false;
        }

        if (!Roles.Values.Any(r => r.KeyIds.Contains(keyId, StringComparer.Ordinal)))
        {
            Keys.Remove(keyId);
        }

        return true;
    }

    /// <summary>A deep copy, for example to start the next root version from this one.</summary>
    public RootMetadata Clone() => (RootMetadata)FromJson(ToJson());

    internal static RootMetadata Read(JsonObject obj, long version, DateTimeOffset expires)
    {
        const string Where = "root metadata";
        var root = new RootMetadata(version, expires, JsonFields.GetBoolean(obj, "consistent_snapshot", Where));
        var keys = JsonFields.AsObject(JsonFields.Required(obj, "keys", Where), "\"keys\" member of the root metadata");
        foreach (var (keyId, keyNode) in keys)
        {
            root.Keys[keyId] = Key.FromJson(keyNode);
        }

        var roles = JsonFields.AsObject(JsonFields.Required(obj, "roles", Where), "\"roles\" member of the root metadata");
        if (roles.Count != RoleNames.All.Length || !RoleNames.All.All(roles.ContainsKey))
        {
            throw new MalformedMetadataException($"The root metadata version {version} must define exactly the roles root, targets, snapshot and timestamp, but it defines {string.Join(", ", roles.Select(r => r.Key))}.");
        }

        foreach (var (name, roleNode) in roles)
        {
            root.Roles[name] = RoleKeys.FromJson(roleNode, name);
        }

        root.ReadUnrecognized(obj, "consistent_snapshot", "keys", "roles");
        return root;
    }

    private protected override void WriteMembers(JsonObject obj)
    {
        obj["consistent_snapshot"] = ConsistentSnapshot;
        var keys = new JsonObject();
        foreach (var (keyId, key) in Keys)
        {
            keys[keyId] = key.ToJson();
        }

        var roles = new JsonObject();
        foreach (var (name, role) in Roles)
        {
            roles[name] = role.ToJson();
        }

        obj["keys"] = keys;
        obj["roles"] = roles;
    }
}
