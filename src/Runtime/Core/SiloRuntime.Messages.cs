namespace Atelier.Runtime;

/// <summary>The receiving end of the transport: calls, cancellations and migrations from other silos.</summary>
public sealed partial class SiloRuntime
{
    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> HandleAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            switch (MessageCodec.ReadKind(frame))
            {
                case FrameKind.Request:
                    return await HandleRequestAsync(frame, cancellationToken).ConfigureAwait(false);
                case FrameKind.Cancel:
                    var (callId, caller) = MessageCodec.ReadCancel(frame);
                    if (_incoming.TryGetValue((caller, callId), out var source))
                    {
                        source.Cancel();
                    }

                    return ReadOnlyMemory<byte>.Empty;
                case FrameKind.Migrate:
                    return await HandleMigrateAsync(frame).ConfigureAwait(false);
                default:
                    throw new InvalidDataException("Frame: unexpected kind.");
            }
        }
#pragma warning disable CA1031 // Every failure goes back to the sender as an error frame.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return MessageCodec.EncodeError(exception, Name);
        }
    }

    private async Task<ReadOnlyMemory<byte>> HandleRequestAsync(ReadOnlyMemory<byte> frame, CancellationToken transportToken)
    {
        var request = MessageCodec.ReadRequest(frame, ResolveInterface);
        var method = request.Method;
        CancellationTokenSource? cancel = null;
        CancellationTokenRegistration aborted = default;
        var key = (request.Caller, request.CallId);
        if (method.CancellationTokenIndex >= 0)
        {
            cancel = new CancellationTokenSource();
            _incoming[key] = cancel;
            request.Arguments[method.CancellationTokenIndex] = cancel.Token;
            aborted = transportToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cancel);
        }

        var call = new CallWorkItem(request.GrainId, request.Interface, method, request.Arguments, request.Context, cancel?.Token ?? default, remoteOrigin: true);
        try
        {
            Dispatch(call);
            var result = await call.Task.ConfigureAwait(false);
            return MessageCodec.EncodeOk(result, method);
        }
        catch (ActivationUnavailableException moved)
        {
            return MessageCodec.EncodeNotHere(moved.Forward);
        }
        catch (OperationCanceledException) when (cancel?.IsCancellationRequested == true)
        {
            return MessageCodec.EncodeCanceled();
        }
#pragma warning disable CA1031 // The grain's exception goes back to the caller.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return MessageCodec.EncodeError(exception, Name);
        }
        finally
        {
            if (cancel is not null)
            {
                await aborted.DisposeAsync().ConfigureAwait(false);
                _incoming.TryRemove(key, out _);
                cancel.Dispose();
            }
        }
    }

    /// <summary>
    /// A call from another silo for a grain that has no activation here: activate it here (the caller placed it
    /// here, or the directory entry is stale or its silo dead), or answer "not here" with the live owner.
    /// Never forwards, so a call crosses at most one silo per attempt.
    /// </summary>
    private async Task DispatchIncomingAsync(CallWorkItem call)
    {
        try
        {
            for (var attempt = 0; attempt <= Options.MaxForwardCount; attempt++)
            {
                ActivationData activation;
                if (call.Interface.IsPerSilo)
                {
                    if (SiloAddress.Parse(call.GrainId.Key) != Address)
                    {
                        throw new ActivationUnavailableException(null);
                    }

                    activation = GetOrCreateActivation(call.Interface, call.GrainId, previous: null);
                }
                else if (!_activations.TryGetValue(call.GrainId, out activation!))
                {
                    var isNew = IsNewGrain(call);
                    GrainAddress? address = null;
                    try
                    {
                        address = await Directory.LookupAsync(call.GrainId, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (ClusterUnavailableException) when (isNew)
                    {
                        // Placed here by a caller that minted the id while the directory is unreachable: see ResolveAsync.
                    }

                    if ((address is not null && address.Silo != Address
                            && (IsReachable(address.Silo) || !await _membership.IsDeadAsync(address.Silo, CancellationToken.None).ConfigureAwait(false)))
                        || _stopRequested)
                    {
                        // Owned elsewhere, or this silo is shutting down: the caller re-resolves (and places the
                        // grain on an active silo).
                        throw new ActivationUnavailableException(address is not null && address.Silo != Address ? address : null);
                    }

                    activation = GetOrCreateActivation(call.Interface, call.GrainId, previous: address, isNewGrain: isNew);
                }

                if (activation.TryEnqueue(call))
                {
                    return;
                }

                await activation.Completion.ConfigureAwait(false);
            }

            throw new ActivationUnavailableException(null);
        }
#pragma warning disable CA1031 // Every failure belongs to the caller.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            call.Fail(exception);
        }
    }

    internal async Task<GrainAddress> SendMigrationAsync(SiloAddress target, GrainAddress previous, MigrationContext state)
    {
        using var writer = new FrameWriter();
        MessageCodec.WriteMigrate(writer, previous, state);
        var response = await _transport.SendRequestAsync(target, writer.WrittenMemory, CancellationToken.None).ConfigureAwait(false);
        return MessageCodec.ReadAddressResponse(response);
    }

    /// <summary>Receives a migrating grain: a new activation rehydrates and takes over the directory entry.</summary>
    private async Task<ReadOnlyMemory<byte>> HandleMigrateAsync(ReadOnlyMemory<byte> frame)
    {
        var (previous, state) = MessageCodec.ReadMigrate(frame);
        var grainInterface = ResolveInterface(previous.GrainId.Type);
        ActivationData activation;
        lock (_lifecycleLock)
        {
            if (_stopRequested)
            {
                throw new SiloUnavailableException($"Silo {Address} is shutting down and accepts no migrations.");
            }

            if (_activations.ContainsKey(previous.GrainId))
            {
                throw new InvalidOperationException($"{previous.GrainId} is already active on silo {Address}.");
            }

            activation = new ActivationData(this, GetClass(grainInterface), previous.GrainId, previous, state);
            _activations[previous.GrainId] = activation;
        }

        activation.Start();
        if (!await activation.Activated.ConfigureAwait(false))
        {
            throw activation.ActivationFailure
                ?? new InvalidOperationException($"{previous.GrainId} moved concurrently; the migration to {Address} lost the directory entry.");
        }

        return MessageCodec.EncodeAddress(activation.Address);
    }
}
