namespace Atelier.Cluster;

/// <summary>
/// Lua scripts of the grain directory. An entry is the string <c>silo|activation</c>; a per-silo set indexes the
/// grains registered to each silo so a dead silo's entries can be removed without scanning the keyspace.
/// </summary>
internal static class DirectoryScripts
{
    /// <summary>
    /// Compare-and-set registration. KEYS: entry, new owner's index. ARGV: new entry, expected entry ('' = none),
    /// grain id, index key prefix. Writes when there is no entry or the entry is exactly the expected one (take-over of
    /// a stale or dead entry, migration); returns the entry that holds afterwards. Atomic on the server, so of
    /// concurrent registrations exactly one wins (single activation).
    /// </summary>
    public const string Register = """
        local cur = redis.call('GET', KEYS[1])
        if cur and cur ~= ARGV[2] then return cur end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[3])
        if cur then
          local old = string.match(cur, '^(.*)|[^|]*$')
          local new = string.match(ARGV[1], '^(.*)|[^|]*$')
          if old and old ~= new then redis.call('SREM', ARGV[4] .. old, ARGV[3]) end
        end
        return ARGV[1]
        """;

    /// <summary>Removes the entry only if it is exactly ARGV[1]. KEYS: entry, owner's index. ARGV: entry, grain id. Returns 1 or 0.</summary>
    public const string Unregister = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[2], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Removes every entry still pointing at one silo. KEYS: the silo's index. ARGV: 'silo|', entry key prefix.
    /// Entries taken over meanwhile by another silo are left alone. Returns the number removed.
    /// </summary>
    public const string UnregisterSilo = """
        local removed = 0
        for _, grain in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local key = ARGV[2] .. grain
          local cur = redis.call('GET', key)
          if cur and string.sub(cur, 1, #ARGV[1]) == ARGV[1] then
            redis.call('DEL', key)
            removed = removed + 1
          end
        end
        redis.call('DEL', KEYS[1])
        return removed
        """;
}
