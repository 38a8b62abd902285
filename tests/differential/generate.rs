//! The steps of a case: inputs aimed by what the model knows ([`Known`]), and when they come.

use super::*;

/// What the model knows, to aim inputs at things that exist (most of the time).
pub(super) struct Known {
    pub(super) ops: Vec<String>,
    pub(super) lines: Vec<String>,
    /// Connected channels.
    pub(super) channels: Vec<String>,
    /// Every conversation ever opened, with its client and channel.
    pub(super) convs: Vec<(String, String, String)>,
    pub(super) open: Vec<String>,
    /// (conversation, operator) pairs that could be accepted.
    pub(super) pending: Vec<(String, String)>,
    /// (client, operator) of the conversations held unconfirmed.
    pub(super) unconfirmed: Vec<(String, String)>,
    pub(super) not_online: Vec<String>,
    pub(super) not_at_work: Vec<String>,
    /// Lines with no channel connected (which may be removed).
    pub(super) bare_lines: Vec<String>,
    /// Conversations with a bot.
    pub(super) with_bot: Vec<String>,
    /// The existing lines' configurations.
    pub(super) line_cfgs: Vec<LineConfig>,
    /// Open conversations that are not completed.
    pub(super) active: Vec<String>,
    /// Completed conversations.
    pub(super) completed: Vec<String>,
    /// Active conversations whose client does not await a reply.
    pub(super) quiet: Vec<String>,
    /// Conversations whose placement has no answer clock.
    pub(super) unclocked: Vec<String>,
    /// (conversation, operator) of whoever holds or is offered a conversation.
    pub(super) holders: Vec<(String, String)>,
    /// Every known channel with its kind and whether it is connected.
    pub(super) kinds: Vec<(String, Option<String>, bool)>,
    /// Open conversations with their request kind.
    pub(super) requests: Vec<(String, Request)>,
    /// Calls and orders ringing, with whom.
    pub(super) ringing: Vec<(String, Vec<String>)>,
    /// (order, operator) of the callback orders being dialled.
    pub(super) dialling: Vec<(String, String)>,
    /// Scheduled callback orders.
    pub(super) scheduled: Vec<String>,
    /// The roles defined.
    pub(super) roles: Vec<String>,
    /// Existing operators with a role that is defined.
    pub(super) privileged: Vec<String>,
}

impl Known {
    pub(super) fn of(model: &Model) -> Self {
        Known {
            ops: model.existing_operators(),
            lines: model.existing_lines(),
            channels: model
                .connected_channels()
                .into_iter()
                .map(|(c, _)| c)
                .collect(),
            convs: model.known_conversations(),
            open: model.open_conversations(),
            pending: model.pending_pairs(),
            unconfirmed: model
                .unconfirmed_assignments()
                .into_iter()
                .map(|(_, client, op)| (client, op))
                .collect(),
            not_online: model.operators_not_online(),
            not_at_work: model.operators_not_at_work(),
            bare_lines: {
                let connected = model.connected_channels();
                model
                    .existing_lines()
                    .into_iter()
                    .filter(|l| !connected.iter().any(|(_, cl)| cl == l))
                    .collect()
            },
            with_bot: model.with_bot(),
            line_cfgs: model.line_configs(),
            active: model.active_conversations(),
            completed: model.completed_conversations(),
            quiet: model.quiet_conversations(),
            unclocked: model.unclocked_conversations(),
            holders: model.holders(),
            kinds: model.channel_kinds(),
            requests: model.open_requests(),
            ringing: model.ringing(),
            dialling: model.dialling(),
            scheduled: model.scheduled_orders(),
            roles: model.role_names(),
            privileged: model.privileged_operators(),
        }
    }

    /// Whether some operator holds a conversation unconfirmed (for [`Known::pin_holder`]).
    pub(super) fn pin_holder_weight(&self) -> u32 {
        if self.unconfirmed.is_empty() { 0 } else { 3 }
    }

    /// `pin_client` pinning the client of a conversation held unconfirmed to its holder (which
    /// makes the assignment final on a line pinning `always`).
    pub(super) fn pin_holder(&self) -> BoxedStrategy<Input> {
        if self.unconfirmed.is_empty() {
            return pin_client_of(client(), self.op());
        }
        select(self.unconfirmed.clone())
            .prop_map(|(client, op)| Input::PinClient {
                client: client.into(),
                operator: op.into(),
            })
            .boxed()
    }

    /// `bot_handoff`, mostly for a conversation with a bot.
    pub(super) fn bot_handoff(&self) -> BoxedStrategy<Input> {
        bot_handoff_of(one_of_or(self.with_bot.clone(), self.open_conv()))
    }

    /// `rating` of a known conversation (open or closed), mostly with a valid score.
    pub(super) fn rating(&self) -> BoxedStrategy<Input> {
        let known: Vec<String> = self.convs.iter().map(|c| c.0.clone()).collect();
        rating_of(
            one_of_or(known, conv()),
            prop_oneof![8 => 1u8..=5, 1 => Just(0u8), 1 => 6u8..=9].boxed(),
        )
    }

    pub(super) fn op(&self) -> BoxedStrategy<String> {
        one_of_or(self.ops.clone(), op())
    }

    /// An operator, often one who holds an unanswered assignment or an offer right now (so
    /// that availability changes take work away).
    pub(super) fn busy_op(&self) -> BoxedStrategy<String> {
        let mut busy: Vec<String> = self.pending.iter().map(|p| p.1.clone()).collect();
        busy.dedup();
        if busy.is_empty() {
            self.op()
        } else {
            prop_oneof![2 => select(busy), 3 => self.op()].boxed()
        }
    }

    pub(super) fn line(&self) -> BoxedStrategy<String> {
        one_of_or(self.lines.clone(), line())
    }

    pub(super) fn channel(&self) -> BoxedStrategy<String> {
        one_of_or(self.channels.clone(), channel())
    }

    pub(super) fn open_conv(&self) -> BoxedStrategy<String> {
        one_of_or(self.open.clone(), conv())
    }

    /// A conversation id with the client and channel a message about it would name: its own
    /// when known, else a client and (mostly) a connected channel; sometimes anything at all.
    pub(super) fn conv_client_channel(&self) -> BoxedStrategy<(String, String, String)> {
        let convs = self.convs.clone();
        let fresh = (conv(), client(), self.channel())
            .prop_map(move |(v, cl, ch)| match convs.iter().find(|c| c.0 == v) {
                Some(known) => known.clone(),
                None => (v, cl, ch),
            })
            .boxed();
        let anything = (conv(), client(), channel()).boxed();
        prop_oneof![12 => fresh, 1 => anything].boxed()
    }

    pub(super) fn message_in(&self) -> BoxedStrategy<Input> {
        self.message_in_to(self.conv_client_channel())
    }

    /// One of `ids` with its client and channel, for a `message_in`.
    pub(super) fn target_among(&self, ids: &[String]) -> BoxedStrategy<(String, String, String)> {
        let targets: Vec<_> = self
            .convs
            .iter()
            .filter(|c| ids.contains(&c.0))
            .cloned()
            .collect();
        one_of_or(targets, self.conv_client_channel())
    }

    pub(super) fn message_out(&self) -> BoxedStrategy<Input> {
        let target = prop_oneof![
            2 => (self.open_conv(), client(), channel()).boxed(),
            1 => self.conv_client_channel(),
        ];
        (target, self.op(), 0u8..6)
            .prop_map(|((v, cl, ch), o, shape)| {
                let (client, channel) = match shape {
                    0..=2 => (None, None),
                    3 | 4 => (Some(cl.into()), Some(ch.into())),
                    _ => (Some(cl.into()), None),
                };
                Input::MessageOut {
                    conversation: v.into(),
                    operator: o.into(),
                    client,
                    channel,
                }
            })
            .boxed()
    }

    /// The holder (or one of those offered) answers: `message_out` naming only the
    /// conversation.
    pub(super) fn answer(&self) -> BoxedStrategy<Input> {
        let pair = one_of_or(self.holders.clone(), (self.open_conv(), self.op()).boxed());
        pair.prop_map(|(v, o)| Input::MessageOut {
            conversation: v.into(),
            operator: o.into(),
            client: None,
            channel: None,
        })
        .boxed()
    }

    pub(super) fn transfer(&self) -> BoxedStrategy<Input> {
        transfer_of(self.open_conv(), self.op(), self.line())
    }

    pub(super) fn accept(&self) -> BoxedStrategy<Input> {
        let random = (self.open_conv(), self.op()).boxed();
        let pair = if self.pending.is_empty() {
            random
        } else {
            prop_oneof![5 => select(self.pending.clone()), 1 => random].boxed()
        };
        accept_of(pair)
    }

    /// `complete`, mostly of an active conversation.
    pub(super) fn complete(&self) -> BoxedStrategy<Input> {
        complete_of(one_of_or(self.active.clone(), self.open_conv()))
    }

    /// A conversation to re-activate: mostly a completed one.
    pub(super) fn completed_conv(&self) -> BoxedStrategy<String> {
        one_of_or(self.completed.clone(), self.open_conv())
    }

    /// An absence around the step's time ([`step_at`] moves it there).
    pub(super) fn absence(&self) -> BoxedStrategy<Input> {
        absence_of(
            self.busy_op(),
            // Mostly whole half-minutes, so that windows start and end with offer deadlines.
            prop_oneof![
                2 => Just(0i64),
                3 => (-20i64..=-1).prop_map(|k| k * 30),
                4 => (1i64..=30).prop_map(|k| k * 30),
                1 => -600i64..=900,
            ]
            .boxed(),
            prop_oneof![
                6 => (1i64..=40).prop_map(|k| k * 30),
                2 => 1i64..=1200,
                1 => Just(0i64),
                1 => -600i64..=-1,
            ]
            .boxed(),
        )
    }

    /// A channel connected to a line that exists (mostly).
    pub(super) fn channel_config(&self) -> BoxedStrategy<Input> {
        channel_config_on(self.line())
            .prop_map(Input::ConnectChannel)
            .boxed()
    }
}

/// A weighted choice of inputs and of `handle_timeout`, leaving out options of weight 0.
pub(super) fn union(
    options: Vec<(u32, BoxedStrategy<Input>)>,
    timeout: u32,
) -> BoxedStrategy<Action> {
    let inputs = options
        .into_iter()
        .map(|(w, i)| (w, i.prop_map(Action::Input).boxed()));
    let timeout = (timeout, Just(Action::Timeout).boxed());
    Union::new_weighted(inputs.chain([timeout]).filter(|(w, _)| *w > 0).collect()).boxed()
}

/// Any action, weighted by what the model knows: the first steps mostly build a world
/// (operators, lines, channels, presence); then conversations arrive and move. A case of the
/// contact centre (`centre`) has lines mostly without hours, phones and widgets, and more of
/// the queue's inputs.
pub(super) fn action(
    model: &Model,
    setup: bool,
    now: i64,
    near: Option<&'static str>,
    centre: bool,
) -> BoxedStrategy<Action> {
    let k = Known::of(model);
    let line_config = move |now, near| centre_line_config(line_config(now, near), centre);
    let operator_config = move || centre_operator_config(operator_config(), centre);
    let upsert_operator = || {
        (operator_config(), k.busy_op(), roles())
            .prop_map(|(mut cfg, id, roles)| {
                cfg.operator = id.into();
                cfg.roles = roles.into_iter().map(Into::into).collect();
                Input::UpsertOperator(cfg)
            })
            .boxed()
    };
    // An existing line upserted again with the same hours (which sets its next opening or
    // closing again): as it was, or with other settings changed.
    let reupsert_line = || {
        let cfgs = k.line_cfgs.clone();
        Just(())
            .prop_flat_map(move |()| (select(cfgs.clone()), line_config(now, near), any::<bool>()))
            .prop_map(|(old, mut new, same)| {
                if same {
                    return Input::from(old);
                }
                new.line = old.line;
                new.schedule = old.schedule;
                Input::from(new)
            })
            .boxed()
    };
    // Built only when chosen (it is a large strategy).
    let upsert_line = || {
        Just(())
            .prop_flat_map(move |()| line_config(now, near))
            .prop_map(Input::from)
            .boxed()
    };
    if setup {
        // Build what is missing: operators o1–o4, lines l1 and l2, channels connected,
        // operators online and at work.
        let missing_ops: Vec<&str> = ["o1", "o2", "o3", "o4"]
            .into_iter()
            .filter(|o| !k.ops.iter().any(|x| x == o))
            .collect();
        let missing_lines: Vec<&str> = ["l1", "l2"]
            .into_iter()
            .filter(|l| !k.lines.iter().any(|x| x == l))
            .collect();
        let unconnected: Vec<&str> = CHANNELS
            .into_iter()
            .filter(|c| !k.channels.iter().any(|x| x == c))
            .collect();
        let mut options = vec![
            (2, k.message_in()),
            (1, upsert_operator()),
            (1, upsert_line()),
            (3, engine_settings()),
            (
                if k.lines.is_empty() { 0 } else { 3 },
                set_rules_of(k.line()),
            ),
        ];
        if !missing_ops.is_empty() {
            options.push((
                8,
                (select(missing_ops), operator_config(), roles())
                    .prop_map(|(id, mut cfg, roles)| {
                        cfg.operator = id.into();
                        cfg.roles = roles.into_iter().map(Into::into).collect();
                        Input::UpsertOperator(cfg)
                    })
                    .boxed(),
            ));
        }
        options.push((4, k.upsert_role()));
        options.push((1, k.upsert_client()));
        if !missing_lines.is_empty() {
            options.push((
                6,
                (select(missing_lines), line_config(now, near))
                    .prop_map(|(id, mut cfg)| {
                        cfg.line = id.into();
                        Input::from(cfg)
                    })
                    .boxed(),
            ));
        }
        if !unconnected.is_empty() && !k.lines.is_empty() {
            options.push((
                6,
                (
                    select(unconnected),
                    select(k.lines.clone()),
                    k.channel_config(),
                )
                    .prop_map(move |(id, line, mut input)| {
                        if let Input::ConnectChannel(cfg) = &mut input {
                            cfg.channel = id.into();
                            cfg.line = line.into();
                            if centre {
                                cfg.kind = Some(if id == "c3" { "widget" } else { "phone" }.into());
                            }
                        }
                        input
                    })
                    .boxed(),
            ));
        }
        if !k.not_online.is_empty() {
            let online = Just(Presence::Online).boxed();
            options.push((6, presence_of(select(k.not_online.clone()).boxed(), online)));
        }
        if !k.not_at_work.is_empty() {
            options.push((2, workday_started_of(select(k.not_at_work.clone()).boxed())));
        }
        return k.with_actor(union(options, 0));
    }
    let line_cfgs = if k.line_cfgs.is_empty() { 0 } else { 2 };
    let completed = if k.completed.is_empty() { 0 } else { 3 };
    let quiet = if k.quiet.is_empty() { 0 } else { 8 };
    let unclocked = if k.unclocked.is_empty() { 0 } else { 6 };
    let with_bot = if k.with_bot.is_empty() { 1 } else { 8 };
    let dialling = if k.dialling.is_empty() { 1 } else { 10 };
    let ringing = if k.ringing.is_empty() { 1 } else { 8 };
    let roles = if k.roles.is_empty() { 0 } else { 1 };
    let scheduled = k.scheduled_weight();
    // The queue's inputs, three times as often in a case of the contact centre.
    let cc = if centre { 3 } else { 1 };
    let steps = union(
        vec![
            (2, upsert_operator()),
            (1, remove_operator_of(k.busy_op())),
            (2, upsert_line()),
            (line_cfgs, reupsert_line()),
            (1, remove_line_of(one_of_or(k.bare_lines.clone(), k.line()))),
            (3, k.channel_config()),
            (2, disconnect_channel_of(k.channel())),
            (2, pin_client_of(client(), k.op())),
            (k.pin_holder_weight(), k.pin_holder()),
            (1, unpin_client_of(client())),
            (7, presence_of(k.busy_op(), presence())),
            (2, workday_started_of(k.op())),
            (2, workday_ended_of(k.busy_op())),
            (3, k.absence()),
            (1, clear_absences_of(k.op())),
            (12, k.message_in()),
            (5, k.message_out()),
            (if k.holders.is_empty() { 0 } else { 6 }, k.answer()),
            (8, k.accept()),
            (3, take_of(k.open_conv(), k.op())),
            (4, k.transfer()),
            (3, close_of(k.open_conv())),
            (1, spam_of(k.open_conv())),
            (with_bot, k.bot_handoff()),
            (2, k.rating()),
            (2, Just(Input::Tick).boxed()),
            (1, engine_settings()),
            (3, set_status_of(k.open_conv(), status())),
            (4, k.complete()),
            (1, set_rules_of(k.line())),
            // Re-activation: a message or a take of a completed conversation.
            (completed, take_of(k.completed_conv(), k.op())),
            (completed, k.message_in_to(k.target_among(&k.completed))),
            // No answer clock: a conversation placed again while its client does not await a
            // reply, and the client writing into such a placement.
            (
                quiet,
                transfer_of(one_of_or(k.quiet.clone(), k.open_conv()), k.op(), k.line()),
            ),
            (unclocked, k.message_in_to(k.target_among(&k.unclocked))),
            // The contact-centre queue (DESIGN §7).
            (5 * cc, k.callback_request()),
            (dialling * cc, k.callback_result()),
            (ringing * cc, k.intercept()),
            (3 * cc, k.abandon()),
            (2 * cc, k.upsert_client()),
            (1, k.upsert_role()),
            (roles, k.remove_role()),
            (scheduled * cc, take_of(k.scheduled_order(), k.op())),
            (
                scheduled * cc,
                transfer_of(k.scheduled_order(), k.op(), k.line()),
            ),
        ],
        3,
    );
    k.with_actor(steps)
}

/// Seconds from the latest time so far: often none or a little, sometimes past an offer
/// timeout or a few hours ahead, sometimes back in time (an input stamped in the past).
pub(super) fn time_step() -> BoxedStrategy<i64> {
    prop_oneof![
        4 => Just(0i64),
        4 => 1i64..=30,
        // Whole tens of seconds: deadlines and absence boundaries often coincide.
        3 => (1i64..=20).prop_map(|k| k * 10),
        1 => 201i64..=1500,
        // Past a few openings and closings, and many deadlines at once.
        1 => prop_oneof![(1i64..=12).prop_map(|k| k * 900), 1501i64..=14_400],
        2 => -300i64..=-1,
    ]
    .boxed()
}

/// A big jump: a day to a week, weeks to months, or the default 30 days of forgetting (give
/// or take a second).
pub(super) fn big_jump() -> BoxedStrategy<i64> {
    let d = DEFAULT_FORGET_CLOSED_AFTER_SECS as i64;
    prop_oneof![
        2 => 86_400i64..=7 * 86_400,
        3 => 7 * 86_400i64..=75 * 86_400,
        1 => select(vec![d - 1, d, d + 1]),
    ]
    .boxed()
}

/// Whether a step may jump far ahead at no great cost: when nothing can start renewing on its
/// own (only what is scheduled now and the lines' hours fire, however far), or, for anything
/// but `handle_timeout` (never bounded), when the renewal bound is small.
pub(super) fn big_jump_allowed(model: &Model, action: &Action) -> bool {
    model.is_quiet() || (model.settings().1 <= SMALL_BOUND && !matches!(action, Action::Timeout))
}
