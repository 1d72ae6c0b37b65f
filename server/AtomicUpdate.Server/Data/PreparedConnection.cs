using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// A connection for the device API's few hot statements that keeps them prepared. Microsoft.Data.Sqlite
/// parses and plans every new command again, which cost a check-in more than running it, so on SQLite
/// the connection stays open in <see cref="Database"/>'s own small pool together with its commands. On
/// PostgreSQL it is a pooled Npgsql connection, whose automatic preparation keeps the statements
/// prepared on the server instead. Disposing it gives the connection back.
/// </summary>
internal sealed class PreparedConnection : IAsyncDisposable
{
    private readonly Database _owner;
    private readonly Dictionary<string, DbCommand>? _commands;

    public PreparedConnection(Database owner, DbConnection connection)
    {
        _owner = owner;
        Connection = connection;
        _commands = connection is SqliteConnection ? new Dictionary<string, DbCommand>(StringComparer.Ordinal) : null;
    }

    public DbConnection Connection { get; }

    /// <summary>False once a statement failed on it: a connection in an unknown state is closed, not pooled again.</summary>
    public bool Reusable { get; private set; } = true;

    /// <summary>
    /// The command for <paramref name="sql"/>, prepared at its first use on this connection; its
    /// parameters keep their last values until <see cref="Set"/> replaces them.
    /// </summary>
    public DbCommand Command(string sql, DbTransaction? transaction = null)
    {
        DbCommand? command = null;
        if (_commands is not null && _commands.TryGetValue(sql, out command))
        {
            command.Transaction = transaction;
            return command;
        }
        command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        _commands?.Add(sql, command);
        return command;
    }

    /// <summary>Sets the parameter <paramref name="name"/> (with its @, as in the SQL), adding it at the first use.</summary>
    public static void Set(DbCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        var index = parameters.IndexOf(name);
        if (index >= 0)
        {
            parameters[index].Value = value ?? DBNull.Value;
            return;
        }
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameters.Add(parameter);
    }

    /// <summary>
    /// Marks the connection as not to be pooled again, after a failure part-way through its work;
    /// returns false, so an exception filter can call it without catching anything.
    /// </summary>
    public bool Discard()
    {
        Reusable = false;
        return false;
    }

    /// <summary>Disposes the kept commands; called when the pool closes the connection.</summary>
    public void DisposeCommands()
    {
        foreach (var command in _commands?.Values ?? Enumerable.Empty<DbCommand>())
        {
            command.Dispose();
        }
        _commands?.Clear();
    }

    public ValueTask DisposeAsync() => _owner.ReturnAsync(this);
}
