namespace AegisKV.Storage;

/// <summary>Work handed to the writer loop; completed (never on the loop thread's stack) once durable per mode.</summary>
internal abstract class WalCommand
{
    public abstract void Complete();

    public abstract void Fail(Exception cause);

    /// <summary>The WAL could not take the command (full disk, I/O error); by default the same as <see cref="Fail"/>.</summary>
    public virtual void Reject(WalWriteException cause) => Fail(cause);

    /// <summary>Gives back what the command holds from a pool; the writer calls it once it has done with the command.</summary>
    public virtual void Release()
    {
    }
}

/// <summary>Completes once every command queued before it has been processed.</summary>
internal sealed class BarrierCommand : WalCommand
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _completion.Task;

    public override void Complete() => _completion.TrySetResult();

    public override void Fail(Exception cause) => _completion.TrySetException(cause);
}
