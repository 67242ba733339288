//! The words of the demo community (`quorum seed-demo`): sixty discussions, each with its
//! own replies, written out so that no title repeats and every thread reads like people
//! talking about that one thing.
//!
//! The demo people, by index: 0 amara (Amara Okafor, Leader), 1 ben (Ben Whitfield),
//! 2 chen (Chen Wei), 3 dolores (Dolores Ruiz, moderator), 4 emil (Emil Lindqvist),
//! 5 farah (Farah Haddad, Leader), 6 gus (Gus Novak), 7 hana (Hana Sato), 8 ivan (Ivan Petrov),
//! 9 joanna (Joanna Mensah, admin), 10 kiri (Kiri Walker), 11 lena (Lena Fischer).
//!
//! Topics are interleaved by zone (customers, people, stakeholders, customers, ...) so that
//! any prefix of `TOPICS` covers all three zones.

/// One reply of a demo thread.
pub struct Reply {
    /// Who writes it: an index into the demo people (see above).
    pub by: usize,
    /// Markdown.
    pub text: &'static str,
    /// The earlier reply (index in this thread's `replies`) it answers, if any.
    pub to: Option<usize>,
}

/// One demo discussion.
pub struct Topic {
    /// "customers", "people" or "stakeholders".
    pub zone: &'static str,
    /// Who starts it: an index into the demo people.
    pub by: usize,
    pub title: &'static str,
    /// Markdown.
    pub body: &'static str,
    pub replies: &'static [Reply],
}

pub const TOPICS: &[Topic] = &[
    // 0
    Topic {
        zone: "customers",
        by: 7,
        title: "Should support see the product roadmap?",
        body: "Twice this month a customer asked me when a feature is coming and I had to say I don't know. If support could see the roadmap (even a rough, quarter-level version), we could set honest expectations instead of guessing.\n\nWhat would have to be true for product to be comfortable with that?",
        replies: &[
            Reply {
                by: 2,
                text: "From the product side: the worry is that anything on the roadmap gets quoted to customers as a promise. A quarter-level view with a clear **not a commitment** label would be fine by me.",
                to: None,
            },
            Reply {
                by: 7,
                text: "That label works for us. We'd never quote dates, only 'it's planned' or 'it's not planned'.",
                to: Some(0),
            },
            Reply {
                by: 10,
                text: "Even knowing what is *not* planned would help. Half my tickets about exports would close faster if I could say honestly that it isn't coming this year.",
                to: None,
            },
            Reply {
                by: 4,
                text: "We tried this at my last company. It worked for about three months, then the roadmap page went stale and support stopped trusting it. Whoever owns it has to update it monthly.",
                to: None,
            },
            Reply {
                by: 2,
                text: "Fair point. We already review the roadmap on the first Monday of each month, so the update could be part of that meeting rather than a separate chore.",
                to: Some(3),
            },
            Reply {
                by: 11,
                text: "Could we also see *why* things are prioritised? Customers accept 'not yet' much better when you can give them a reason.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Careful with reasons, though. 'Only three customers asked for it' is not something I'd want read back to one of those three.",
                to: Some(5),
            },
            Reply {
                by: 11,
                text: "True. Maybe a one-line theme per item rather than the full reasoning.",
                to: Some(6),
            },
            Reply {
                by: 0,
                text: "I'm in favour. Product will share a quarter-level roadmap with support from next month, reviewed at the monthly roadmap meeting and marked as not a commitment. Chen, can you own the first version?",
                to: None,
            },
            Reply {
                by: 2,
                text: "Yes. I'll post a draft here by the 15th so support can tell us what's missing.",
                to: Some(8),
            },
            Reply {
                by: 3,
                text: "Pinning this thread so the draft is easy to find when it lands.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Thank you all. I'll collect the ten questions support gets most often, so we can check the draft against them.",
                to: Some(9),
            },
        ],
    },
    // 1
    Topic {
        zone: "people",
        by: 6,
        title: "Meeting-free Wednesday afternoons",
        body: "My calendar has had no free block longer than 45 minutes for three weeks. I'd like to propose that **Wednesday afternoons stay free of internal meetings** across the company, so people get one real stretch of focus time a week.\n\nCustomer calls would be exempt. Would this work for your team?",
        replies: &[
            Reply {
                by: 11,
                text: "Yes please. I'd use it for the writing I keep postponing to the evening.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Operations runs a shift handover at 2pm on Wednesdays. We can't move that, so we'd need an exception for standing operational meetings.",
                to: None,
            },
            Reply {
                by: 6,
                text: "Agreed, handovers and customer calls would both be exempt. The idea is to stop the optional internal ones.",
                to: Some(1),
            },
            Reply {
                by: 1,
                text: "We tried this in finance last year. It lasted six weeks, then people started booking 'quick syncs' at 4pm. It needs someone senior to say it out loud, otherwise it fades.",
                to: None,
            },
            Reply {
                by: 9,
                text: "Could the calendar tool block the slot automatically? A default 'Focus time' event on everyone's calendar is harder to ignore than a policy.",
                to: Some(3),
            },
            Reply {
                by: 4,
                text: "Our team is split across two time zones, and Wednesday afternoon here is the only overlap we get with the other office. For us this would remove our one shared window.",
                to: None,
            },
            Reply {
                by: 6,
                text: "That's a real problem. Could teams with a time zone gap choose a different half day, as long as they pick one?",
                to: Some(5),
            },
            Reply {
                by: 4,
                text: "A team-chosen half day would work for us. Thursday morning, probably.",
                to: Some(6),
            },
            Reply {
                by: 10,
                text: "Small data point: I counted, and 11 of my 14 meetings last week were internal and could have been a written update.",
                to: None,
            },
            Reply {
                by: 5,
                text: "Thank you for raising this, Gus. We'll **pilot meeting-free Wednesday afternoons for the whole of Q3**, with exemptions for customer calls and operational handovers, and teams across time zones may pick another half day. At the end we'll ask everyone in a short survey whether to keep it.",
                to: None,
            },
            Reply {
                by: 9,
                text: "I'll set up the default calendar block for the pilot and post the instructions here.",
                to: Some(9),
            },
            Reply {
                by: 2,
                text: "What counts as a meeting? Is a pairing session with one colleague a meeting?",
                to: None,
            },
            Reply {
                by: 6,
                text: "I'd say no. The point is no group meetings; two people choosing to work together is fine.",
                to: Some(11),
            },
            Reply {
                by: 3,
                text: "I've asked Gus to edit the opening post with the pilot rules, so nobody has to read the whole thread to find them.",
                to: None,
            },
        ],
    },
    // 2
    Topic {
        zone: "stakeholders",
        by: 0,
        title: "Quarterly results in plain language",
        body: "Our quarterly results pack is 40 pages written for analysts. I'd like us to publish a **one-page summary in plain language** alongside it: what went well, what didn't, and what we're changing.\n\nWhat would you want to see on that page?",
        replies: &[
            Reply {
                by: 1,
                text: "As someone in finance: please include one chart of revenue against costs over the last four quarters, with no jargon in the axis labels.",
                to: None,
            },
            Reply {
                by: 7,
                text: "What it means for customers. If prices or service levels are changing, say so on that page.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Please avoid 'EBITDA' without explaining it. Most of my team would stop reading at that word.",
                to: Some(0),
            },
            Reply {
                by: 1,
                text: "Fair. We can write 'profit before interest, tax and some accounting charges' and keep the acronym in the long pack.",
                to: Some(2),
            },
            Reply {
                by: 3,
                text: "Could you post it here too, so people can ask questions about it in the open?",
                to: None,
            },
            Reply {
                by: 0,
                text: "Yes. The first one-page summary comes out with the Q2 results, and it will be posted in this zone with a thread for questions. Ben will draft it and I'll sign it off.",
                to: Some(4),
            },
        ],
    },
    // 3
    Topic {
        zone: "customers",
        by: 10,
        title: "Answer every ticket within one working day",
        body: "Right now our median first reply is 1.6 working days, and about 1 in 8 tickets waits more than three days. I'd like us to commit to **a first human reply to every ticket within one working day**, even if it's only to say we're looking into it.\n\nIs that realistic with the current team?",
        replies: &[
            Reply {
                by: 7,
                text: "Realistic on most days, hard on Mondays. Monday mornings we start with the whole weekend backlog, usually around 300 tickets.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Does a holding reply count? If the answer is 'we're looking into it', customers may feel we're gaming the number.",
                to: None,
            },
            Reply {
                by: 10,
                text: "It counts only if it names a person and says when they'll hear next. A bare 'we got your ticket' doesn't.",
                to: Some(1),
            },
            Reply {
                by: 11,
                text: "In our last customer survey, the most common complaint wasn't slow answers, it was not knowing whether anyone had read the ticket. So a real holding reply would already fix a lot.",
                to: Some(2),
            },
            Reply {
                by: 2,
                text: "Product could help: if tickets were tagged automatically by feature, they'd reach the right person faster instead of bouncing between queues.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Tagging would save us a lot. Today about a fifth of tickets get reassigned at least once.",
                to: Some(4),
            },
            Reply {
                by: 1,
                text: "What would it cost? If the answer is two more people on the Monday shift, I'd rather see that in the budget request than have everyone stretching.",
                to: None,
            },
            Reply {
                by: 0,
                text: "We'll commit to **one working day for a first human reply from September**. To get there we'll add a Monday morning rota staffed from other teams and fund the auto-tagging work. Kiri, please report the numbers here each month.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Will do. I'll post the median and the share over one day on the first Friday of each month.",
                to: Some(7),
            },
            Reply {
                by: 4,
                text: "Happy to join the Monday rota. Is there a short guide for people outside support?",
                to: Some(7),
            },
            Reply {
                by: 7,
                text: "I'll write one: the ten most common ticket types and where each should go.",
                to: Some(9),
            },
        ],
    },
    // 4
    Topic {
        zone: "people",
        by: 11,
        title: "A mentoring circle for new managers",
        body: "Most of us became managers by being good at something else. I'd like to start a **mentoring circle for new managers**: six people, one experienced manager, an hour every two weeks, for six months.\n\nWho would join, and who would host one?",
        replies: &[
            Reply {
                by: 6,
                text: "I became a manager in January and would join tomorrow. The hardest part so far has been the first difficult conversation, and I had no one to practise with.",
                to: None,
            },
            Reply {
                by: 3,
                text: "I've managed people for twelve years and would host one. I'd suggest each circle agrees its own topics in the first session rather than following a fixed syllabus.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Agreed on topics. I had imagined a list, but letting the group choose is better.",
                to: Some(1),
            },
            Reply {
                by: 4,
                text: "Could circles mix departments? I'd learn more from a manager in operations than from one in my own team.",
                to: None,
            },
            Reply {
                by: 5,
                text: "We'll support this. The People team will fund the time from the management development budget, and we'll run **three circles from October**, mixing departments as Emil suggests. Lena, let's talk about how people sign up.",
                to: Some(3),
            },
            Reply {
                by: 8,
                text: "What happens after six months? Do circles end, or can they carry on by themselves?",
                to: None,
            },
            Reply {
                by: 11,
                text: "I'd let them continue if they want to. Some of the best ones probably will.",
                to: Some(5),
            },
        ],
    },
    // 5
    Topic {
        zone: "stakeholders",
        by: 8,
        title: "Local suppliers first",
        body: "For catering, cleaning and office supplies we mostly buy from national firms. I'd like us to prefer **suppliers within 50 km of each site** when price and quality are close, say within 5%.\n\nWould procurement be able to work with a rule like that?",
        replies: &[
            Reply {
                by: 1,
                text: "Procurement here. A 5% margin is workable for small contracts. Anything over 100,000 would need board approval, because we have to show value for money.",
                to: None,
            },
            Reply {
                by: 10,
                text: "The canteen in the east office already uses a local bakery and the feedback has been great. Proof it can work.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Good to know. Maybe start with catering and cleaning, where contracts are small, and see how it goes.",
                to: Some(0),
            },
            Reply {
                by: 6,
                text: "Please check that local suppliers can live with our payment terms. Some small firms can't wait 60 days for an invoice to be paid.",
                to: None,
            },
        ],
    },
    // 6
    Topic {
        zone: "customers",
        by: 2,
        title: "Collect customer quotes in one place",
        body: "Customer quotes are spread across call notes, survey exports and people's inboxes. I'd like one shared place where anyone can add a quote with the date, the customer type and the topic, so product decisions can point to real words.\n\nWhat tool would you use?",
        replies: &[
            Reply {
                by: 11,
                text: "A simple spreadsheet would do to start. Columns: date, quote, customer type, topic, who collected it. We can move it later if it grows.",
                to: None,
            },
            Reply {
                by: 7,
                text: "We must remove names and company details before adding anything. Some customers say things on calls they'd never want circulated.",
                to: None,
            },
            Reply {
                by: 2,
                text: "Yes, anonymous by default. I'll add a note at the top of the sheet.",
                to: Some(1),
            },
        ],
    },
    // 7
    Topic {
        zone: "people",
        by: 4,
        title: "Written decisions, not hallway decisions",
        body: "Three times this quarter a decision was made in a corridor and half the team heard about it a week later. I'd propose that any decision affecting more than one team is written down in a short note: **what we decided, why, and who decided**.\n\nToo much bureaucracy, or overdue?",
        replies: &[
            Reply {
                by: 1,
                text: "Overdue. I found out we'd changed the expense approval limit from a colleague in another team who'd heard it somewhere.",
                to: None,
            },
            Reply {
                by: 6,
                text: "I worry about the overhead. Not every decision needs a document.",
                to: None,
            },
            Reply {
                by: 4,
                text: "Agreed, which is why I said more than one team. And the note can be five lines.",
                to: Some(1),
            },
            Reply {
                by: 10,
                text: "Where would the notes live? If they end up in a dozen places, we haven't fixed anything.",
                to: None,
            },
            Reply {
                by: 9,
                text: "We could use a Decisions category here on Quorum. Everything is searchable, and people can ask questions under each one.",
                to: Some(3),
            },
            Reply {
                by: 2,
                text: "Product has done this for a year. The biggest win isn't communication, it's that writing down the 'why' often shows the decision wasn't finished.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Could each note say who to ask? Sometimes the author has moved on by the time questions come up.",
                to: None,
            },
            Reply {
                by: 0,
                text: "I'd like the leadership team to go first. From next month, every leadership decision that affects more than one team will be posted in writing within two working days, with the reason and a named owner for questions.",
                to: None,
            },
            Reply {
                by: 4,
                text: "That would set the tone. Thank you.",
                to: Some(7),
            },
            Reply {
                by: 3,
                text: "I'll create the Decisions category and a five-line template today.",
                to: Some(4),
            },
        ],
    },
    // 8
    Topic {
        zone: "stakeholders",
        by: 1,
        title: "Share our energy use openly",
        body: "We report energy use once a year in the annual report, as a single number. I'd like us to publish **monthly electricity and gas use per site** on a simple page anyone can read, staff and neighbours alike.\n\nIf the numbers are bad some months, that's useful to know too.",
        replies: &[
            Reply {
                by: 8,
                text: "Facilities already get monthly meter readings for all six sites. The data exists, it just sits in a spreadsheet.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Per-site totals are hard to compare, because the sites are very different sizes. Per square metre, or per person, would be fairer.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Good point. We could show both: the total and the figure per square metre.",
                to: Some(1),
            },
            Reply {
                by: 0,
                text: "Let's do it. Ivan, please publish the last twelve months by the end of next month, and we'll update it monthly from then on. If a site looks bad, we'd rather explain it than hide it.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Will do. I'll post the link here once it's up.",
                to: Some(3),
            },
        ],
    },
    // 9
    Topic {
        zone: "customers",
        by: 3,
        title: "Onboarding calls for new accounts",
        body: "New customers get a welcome email and a link to the help centre, and that's it. I'd suggest a **30-minute onboarding call** in the first two weeks for every new account, with the person who'll actually use the product.\n\nWould this save tickets later, or just add work?",
        replies: &[
            Reply {
                by: 10,
                text: "It would save tickets. About 40% of tickets in a customer's first month are setup questions that one call would answer.",
                to: None,
            },
            Reply {
                by: 1,
                text: "For small accounts the call might cost more than the account brings in. Maybe a group call once a week for small customers, and one-to-one for larger ones?",
                to: None,
            },
            Reply {
                by: 3,
                text: "A weekly group call is a nice middle ground. I'd be happy to run the first few.",
                to: Some(1),
            },
            Reply {
                by: 7,
                text: "If we do group calls, please record them and add the recording to the welcome email for people who can't join.",
                to: Some(2),
            },
        ],
    },
    // 10
    Topic {
        zone: "people",
        by: 8,
        title: "Recognise the quiet work",
        body: "The people we thank at all-hands are usually the ones who shipped something visible. The person who fixed the on-call rota, rewrote the wiki page everyone uses or quietly trained three new starters rarely gets a mention.\n\nHow could we notice that work more?",
        replies: &[
            Reply {
                by: 7,
                text: "A monthly thread here where anyone can thank someone for work nobody saw. No prizes, just the thanks in public.",
                to: None,
            },
            Reply {
                by: 2,
                text: "I'd add: ask managers to mention one piece of quiet work in every performance review.",
                to: None,
            },
            Reply {
                by: 5,
                text: "I like both. We'll start the monthly thanks thread in this zone next month, and from the next review cycle the review form will ask about work that helped others. It costs little and it says what we value.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Thank you. Can the thread be open to thanking people in other teams, not only your own?",
                to: Some(2),
            },
            Reply {
                by: 5,
                text: "Yes, other teams especially.",
                to: Some(3),
            },
        ],
    },
    // 11
    Topic {
        zone: "stakeholders",
        by: 11,
        title: "A partner advisory group",
        body: "Our resellers and implementation partners hear about changes at the same time as everyone else. I'd propose a **partner advisory group**: eight partners, meeting quarterly, who see plans early and tell us what will break for their customers.\n\nWhich partners would you invite first?",
        replies: &[
            Reply {
                by: 1,
                text: "Pick a mix of sizes. If it's only the biggest partners, we'll only hear big-partner problems.",
                to: None,
            },
            Reply {
                by: 4,
                text: "We'd need a simple confidentiality agreement before sharing plans. Legal already has a template.",
                to: None,
            },
            Reply {
                by: 0,
                text: "Good proposal. We'll set up the group in the new year with eight partners of different sizes and regions. Lena, would you coordinate the invitations with the partnerships team?",
                to: None,
            },
        ],
    },
    // 12
    Topic {
        zone: "customers",
        by: 1,
        title: "Plain-English pricing page: what confuses customers most?",
        body: "I'm rewriting the pricing page. Before I start, I'd like to hear from support and sales: **which questions about price come up again and again?**\n\nThe more specific the better, even if it's one sentence a customer said.",
        replies: &[
            Reply {
                by: 7,
                text: "'What counts as a user?' comes up every week. Is someone who only views reports a user? The page doesn't say.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Whether prices include VAT. The page shows one number and the invoice shows another.",
                to: None,
            },
            Reply {
                by: 4,
                text: "Annual versus monthly: customers don't understand that switching mid-year is pro-rated.",
                to: None,
            },
            Reply {
                by: 1,
                text: "These are all great. I'll answer 'what counts as a user' right under the price, not in the FAQ.",
                to: Some(0),
            },
            Reply {
                by: 11,
                text: "Could you test the new page with five customers before publishing? Even a 15-minute call each would catch a lot.",
                to: Some(3),
            },
            Reply {
                by: 1,
                text: "Yes, I'll ask sales for five customers who signed up in the last month.",
                to: Some(4),
            },
        ],
    },
    // 13
    Topic {
        zone: "people",
        by: 9,
        title: "An onboarding checklist for new starters",
        body: "New starters tell me their first week depends entirely on who their manager is. I'd like one **onboarding checklist** that every team uses as a base:\n\n- laptop and accounts ready on day one\n- a named buddy\n- a first small task by Wednesday\n- a check-in with the manager at the end of week one\n\nWhat's missing?",
        replies: &[
            Reply {
                by: 6,
                text: "A map of who to ask for what. I spent my first week not knowing who approves expenses.",
                to: None,
            },
            Reply {
                by: 2,
                text: "An explanation of our acronyms. I started in March and I still keep a list of them.",
                to: None,
            },
            Reply {
                by: 9,
                text: "A glossary is a good idea. We could keep it here on Quorum so anyone can add to it.",
                to: Some(1),
            },
            Reply {
                by: 8,
                text: "Laptop on day one is the part that fails most. In operations, two of our last five starters waited three days for their accounts.",
                to: None,
            },
            Reply {
                by: 10,
                text: "IT needs at least five working days' notice to get that right. The checklist should start before day one, with a step for the manager.",
                to: Some(3),
            },
            Reply {
                by: 11,
                text: "Please add a check-in at 30 days as well. Week one is fine for most people; the problems show up around week four.",
                to: None,
            },
            Reply {
                by: 5,
                text: "The People team will adopt this as the **standard onboarding checklist from next quarter**, including the pre-start steps and the 30-day check-in. Joanna, can we keep the living version here so teams can suggest changes?",
                to: None,
            },
            Reply {
                by: 9,
                text: "Yes. I'll post it as its own topic and link it from the new starter email.",
                to: Some(6),
            },
            Reply {
                by: 1,
                text: "One more for remote starters: send the laptop with a printed one-page 'first day' sheet. Not everyone can log in to read the instructions about logging in.",
                to: None,
            },
            Reply {
                by: 7,
                text: "That made me laugh, because it's exactly what happened to me. Strongly agree.",
                to: Some(8),
            },
        ],
    },
    // 14
    Topic {
        zone: "stakeholders",
        by: 7,
        title: "Volunteer days: two per year instead of one?",
        body: "Everyone gets one paid volunteer day a year, and last year only 22% of staff used it. I think part of the reason is that a whole day is hard to plan around. Would **two days, which can be split into half days**, get more people involved?",
        replies: &[
            Reply {
                by: 3,
                text: "Half days would help a lot. The food bank near our office needs people for three-hour shifts, not full days.",
                to: None,
            },
            Reply {
                by: 1,
                text: "I'd find out why 78% didn't use the first day before adding a second. If it's awareness, a second day won't change much.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Fair. I'd guess it's a mix of awareness and workload. Could we ask in the next staff survey?",
                to: Some(1),
            },
            Reply {
                by: 5,
                text: "We'll add the question to the autumn survey, and we'll allow half days from now on, which costs nothing. We'll decide on a second day once we see the answers.",
                to: Some(2),
            },
        ],
    },
    // 15
    Topic {
        zone: "customers",
        by: 4,
        title: "Screen reader test of the customer portal before every release",
        body: "Last month a blind customer told us they couldn't submit a ticket because the form's button had no label. I'd like us to add a **screen reader check of the five most used portal pages** to the release checklist.\n\nIt takes about 20 minutes once you know how.",
        replies: &[
            Reply {
                by: 2,
                text: "Agreed, and that bug was embarrassing. Could we also run an automated accessibility checker in the build, so the simple issues never reach a release?",
                to: None,
            },
            Reply {
                by: 4,
                text: "Yes to both. The checker catches maybe a third of the issues; the manual test catches the rest.",
                to: Some(0),
            },
            Reply {
                by: 10,
                text: "Could we invite that customer to test the next release? They offered to help on the call.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Please pay them for their time if we do. It's real work.",
                to: Some(2),
            },
            Reply {
                by: 3,
                text: "There's a free internal course on using screen readers. I took it last year and it's two hours well spent.",
                to: None,
            },
        ],
    },
    // 16
    Topic {
        zone: "people",
        by: 10,
        title: "Hybrid work: which days should teams overlap?",
        body: "Our office guidance is 'two days a week', but people pick different days and end up on video calls from the office. I'd suggest each team agrees **two shared anchor days** and posts them, so people come in for each other.\n\nHow has your team handled it?",
        replies: &[
            Reply {
                by: 1,
                text: "Finance picked Tuesday and Thursday last spring. Attendance on those days went up and the commute finally felt worth it.",
                to: None,
            },
            Reply {
                by: 11,
                text: "We tried anchor days, but our team works with three others who all chose different days. Overlap across teams is the real problem.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Could departments agree on one company-wide anchor day, and teams choose the second?",
                to: Some(1),
            },
            Reply {
                by: 8,
                text: "Then everyone comes in on the same day and there aren't enough desks. Our site has 180 desks for 260 people.",
                to: Some(2),
            },
            Reply {
                by: 11,
                text: "Maybe stagger the company-wide day by floor or by building?",
                to: Some(3),
            },
            Reply {
                by: 6,
                text: "Parents of young children often can't do fixed days. Anchor days should be a default, not a rule.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Agreed, a default and not a rule. I'll put that in the proposal.",
                to: Some(5),
            },
            Reply {
                by: 4,
                text: "What about people who are fully remote? Anchor days in the office can make them feel like second-class team members.",
                to: None,
            },
            Reply {
                by: 2,
                text: "We handle that by using anchor days for whole-team work that doesn't depend on the room, like planning and retros, with decent cameras.",
                to: Some(7),
            },
            Reply {
                by: 5,
                text: "Thank you, this is a useful thread. We'll keep 'two days a week' as the guidance, but ask every team to publish its anchor days by the end of the month. Facilities will look at the desk numbers Ivan mentioned before we suggest any company-wide day.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Thanks. I'll send facilities the desk booking data from the last three months.",
                to: Some(9),
            },
            Reply {
                by: 9,
                text: "Teams can post their anchor days on their team page here; I've added a field for it.",
                to: Some(9),
            },
        ],
    },
    // 17
    Topic {
        zone: "stakeholders",
        by: 6,
        title: "Publish our supplier code of conduct",
        body: "We ask suppliers to sign a code of conduct covering pay, safety and the environment, but it isn't public. Publishing it would let anyone, including our suppliers' own staff, see what we expect of them.\n\nIs there a reason it's kept internal?",
        replies: &[
            Reply {
                by: 1,
                text: "As far as I know, nobody decided to keep it internal; it just never got published. It needs a legal read first, since it's five years old.",
                to: None,
            },
            Reply {
                by: 3,
                text: "If it's five years old it probably needs updating anyway. Worth doing both at once.",
                to: Some(0),
            },
        ],
    },
    // 18
    Topic {
        zone: "customers",
        by: 8,
        title: "Could we publish our support response times on the website?",
        body: "We measure first-reply time and resolution time every week. Publishing them, even as a simple monthly chart, would show customers we take it seriously and would keep us honest.",
        replies: &[
            Reply {
                by: 10,
                text: "I'd wait until we hit the one-working-day target consistently. Publishing a number we're not proud of could backfire.",
                to: None,
            },
            Reply {
                by: 8,
                text: "I see that, but publishing it while it improves is also a story customers respect.",
                to: Some(0),
            },
            Reply {
                by: 7,
                text: "Maybe publish the trend rather than the absolute figure? A line going down is easy to read.",
                to: Some(1),
            },
        ],
    },
    // 19
    Topic {
        zone: "people",
        by: 2,
        title: "How do you actually use your learning budget?",
        body: "Everyone has 800 a year for learning, and I've spent 120 of mine in two years because I never know what counts. Could people share what they've used theirs on, so the rest of us get ideas?",
        replies: &[
            Reply {
                by: 11,
                text: "A two-day writing course last year. It changed how I write proposals, including posts like this one.",
                to: None,
            },
            Reply {
                by: 4,
                text: "Books, mostly. About ten a year. Nobody told me books count, I just asked.",
                to: None,
            },
            Reply {
                by: 6,
                text: "A conference, but the ticket alone was 650, so it used the whole budget. I'd love a way to pool budgets within a team for bigger things.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Pooling would be fiddly to track in finance, but not impossible. Worth a proposal.",
                to: Some(2),
            },
            Reply {
                by: 3,
                text: "An evening language course. Spanish, which turned out to be useful on customer calls.",
                to: None,
            },
            Reply {
                by: 5,
                text: "Thanks for asking this openly. We'll publish a one-page list of what the budget can cover by next month, with examples from this thread. On pooling: from January, teams may combine budgets for a shared course.",
                to: None,
            },
            Reply {
                by: 2,
                text: "That list is exactly what I was missing. Thank you.",
                to: Some(5),
            },
        ],
    },
    // 20
    Topic {
        zone: "stakeholders",
        by: 1,
        title: "Pay small suppliers within 14 days",
        body: "Our standard payment terms are 60 days. For a large supplier that's normal; for a two-person catering firm it can decide whether they pay their own staff on time. I'd propose **14-day terms for suppliers with fewer than 50 employees**.",
        replies: &[
            Reply {
                by: 8,
                text: "Strong yes. The local bakery from the 'local suppliers' thread told us they almost stopped working with us over payment timing.",
                to: None,
            },
            Reply {
                by: 4,
                text: "What would it cost us in cash flow? Roughly, I mean.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Small suppliers are about 4% of our spend, so the effect on cash flow is small. I'll put a precise number in the proposal.",
                to: Some(1),
            },
            Reply {
                by: 0,
                text: "Ben, please bring the proposal to the next finance committee. If the numbers are as small as you say, I'll support moving to 14 days from next quarter.",
                to: Some(2),
            },
            Reply {
                by: 1,
                text: "Will do. I'll post the outcome here.",
                to: Some(3),
            },
        ],
    },
    // 21
    Topic {
        zone: "customers",
        by: 11,
        title: "Customer research interviews: who wants to sit in?",
        body: "We're doing 12 interviews with customers over the next three weeks about how they use reports. Each is 45 minutes on video. Anyone can **join as a silent listener**, one per call. Support and sales especially welcome.",
        replies: &[
            Reply {
                by: 7,
                text: "I'd love to. Any guidance on what listeners should do?",
                to: None,
            },
            Reply {
                by: 11,
                text: "Camera off, microphone off, and note whatever surprises you. We'll compare notes in a 30-minute session after all 12.",
                to: Some(0),
            },
            Reply {
                by: 6,
                text: "Put me down for two. I build the reports, so I'm probably the one who most needs to hear this.",
                to: None,
            },
        ],
    },
    // 22
    Topic {
        zone: "people",
        by: 3,
        title: "Mentoring across departments, not just within them",
        body: "Our mentoring scheme matches people within their own department. I'd suggest we also offer **cross-department mentoring**, because a lot of what people want to learn, like how decisions actually get made here, is easier to see from outside your own team.",
        replies: &[
            Reply {
                by: 10,
                text: "I was mentored by someone in finance for a year and it was the most useful thing I did. I understood budgets for the first time.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Matching would be harder. Who decides which pairs make sense?",
                to: None,
            },
            Reply {
                by: 3,
                text: "Let people say what they want to learn, and match on that rather than on department.",
                to: Some(1),
            },
            Reply {
                by: 4,
                text: "Could the mentoring circles for new managers be the pilot? They're already mixing departments.",
                to: None,
            },
        ],
    },
    // 23
    Topic {
        zone: "stakeholders",
        by: 4,
        title: "What should we tell investors about the warehouse delay?",
        body: "I help prepare the investor Q&A. The same question comes up on every call: why the new warehouse opens in spring rather than this autumn. Our current answer is two sentences of legal language. Could we agree a plain answer that staff can repeat too?",
        replies: &[
            Reply {
                by: 8,
                text: "The plain answer is that the ground survey found old drainage nobody knew about. Is there a reason not to say that?",
                to: None,
            },
            Reply {
                by: 0,
                text: "No reason. We'll say exactly that: the survey found old drainage, fixing it adds about four months, and the cost is within the contingency we set aside. I'll use those words on the next call.",
                to: Some(0),
            },
            Reply {
                by: 4,
                text: "Thank you. I'll update the Q&A document today.",
                to: Some(1),
            },
        ],
    },
    // 24
    Topic {
        zone: "customers",
        by: 7,
        title: "Stop closing tickets when the customer goes quiet for 3 days",
        body: "Our system closes a ticket automatically if the customer doesn't reply for three days. Customers then reopen it angry, or open a new one and start over. I'd suggest **seven days, with a reminder on day four**.",
        replies: &[
            Reply {
                by: 10,
                text: "Agreed. About 15% of auto-closed tickets get reopened, according to last month's report.",
                to: None,
            },
            Reply {
                by: 2,
                text: "Seven days inflates our open ticket count. Can we report 'waiting on customer' separately so the numbers stay honest?",
                to: None,
            },
            Reply {
                by: 7,
                text: "Yes, there's already a status for that. We just don't use it in the report.",
                to: Some(1),
            },
            Reply {
                by: 9,
                text: "The reminder email needs a one-click 'my problem is solved' link. Many customers simply don't reply once it's fixed.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Good idea. That would also tell us how many were really solved.",
                to: Some(3),
            },
        ],
    },
    // 25
    Topic {
        zone: "people",
        by: 8,
        title: "Career paths for specialists who don't want to manage",
        body: "Right now the only way past senior level is to manage people. Some of our best engineers and analysts became unhappy managers because of it. I'd like a **specialist track with the same pay bands as management**, up to at least the level below director.",
        replies: &[
            Reply {
                by: 2,
                text: "This is why two of my former colleagues left. Both were excellent and neither wanted reports.",
                to: None,
            },
            Reply {
                by: 6,
                text: "What would a principal specialist actually do differently from a senior? Without a clear answer it becomes a title with nothing behind it.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Broader scope: setting standards across teams, reviewing the hardest work, mentoring seniors. Not more of the same work.",
                to: Some(1),
            },
            Reply {
                by: 11,
                text: "Then our level descriptions need to be written down properly, for both tracks. Right now they're two lines each.",
                to: Some(2),
            },
            Reply {
                by: 1,
                text: "Finance view: a new track is fine if the pay at each level stays the same. The cost is in promotions, not in the structure.",
                to: None,
            },
            Reply {
                by: 5,
                text: "We've heard this for a while and it's overdue. The People team will publish a **draft specialist track, with level descriptions for both tracks, by the end of Q3**, and we'll discuss it here before it's final.",
                to: None,
            },
            Reply {
                by: 8,
                text: "That's great news. Happy to review the draft.",
                to: Some(5),
            },
            Reply {
                by: 3,
                text: "Please include how people move between tracks. Some want to try managing and come back.",
                to: Some(5),
            },
        ],
    },
    // 26
    Topic {
        zone: "stakeholders",
        by: 10,
        title: "Open our training rooms to local charities in the evenings",
        body: "Our training rooms on the ground floor are empty most evenings. Several local groups, including a youth club and a debt advice charity, struggle to find meeting space. Could we **lend the rooms free of charge** two evenings a week?",
        replies: &[
            Reply {
                by: 8,
                text: "Security is the question. We'd need someone on site until the group leaves, and that's overtime.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Could staff volunteers host on a rota, using their volunteer hours?",
                to: Some(0),
            },
            Reply {
                by: 6,
                text: "Insurance too. Worth asking whether our policy covers outside groups.",
                to: None,
            },
            Reply {
                by: 0,
                text: "I like this a lot. Ivan and Kiri, please work out security and insurance and bring a plan for a three-month trial with one charity. If it works, we'll extend it.",
                to: None,
            },
        ],
    },
    // 27
    Topic {
        zone: "customers",
        by: 6,
        title: "A single feedback form instead of four",
        body: "Customers can send feedback through the app, the help centre, the website and a survey link in our emails. Each lands in a different place and nobody sees the whole picture. Could we **merge them into one form** that feeds one list?",
        replies: &[Reply {
            by: 2,
            text: "Yes. Product reads the app feedback, but I didn't know the website form existed until this post.",
            to: None,
        }],
    },
    // 28
    Topic {
        zone: "people",
        by: 1,
        title: "Parental leave: share your experience of coming back",
        body: "I'm back from four months of parental leave next week. I'd love to hear from people who've done it: what helped in the first month back, and what do you wish your manager had known?",
        replies: &[
            Reply {
                by: 7,
                text: "A phased return helped me most: three days a week for the first month. Ask for it, it's in the policy but nobody mentions it.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Someone gave me a one-page summary of what had changed while I was away. It saved me days of reading.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Be kind to yourself about sleep. My first two weeks back I wasn't at my best, and that was fine.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Thank you, all of this helps. I hadn't heard of the phased return.",
                to: Some(0),
            },
            Reply {
                by: 5,
                text: "We should make that easier to find. We'll add the phased return option and a 'what changed' handover to the return-to-work checklist, so every manager sees them, not just the ones who already know.",
                to: Some(3),
            },
            Reply {
                by: 6,
                text: "Managers: block the returner's first morning for a proper catch-up, not a quick one squeezed between meetings.",
                to: None,
            },
        ],
    },
    // 29
    Topic {
        zone: "stakeholders",
        by: 9,
        title: "A plain-language summary of board decisions",
        body: "Board minutes are published internally, but they're long and formal. A **half-page summary after each board meeting**, in plain words, would help people understand where the company is heading.",
        replies: &[
            Reply {
                by: 4,
                text: "Yes, as long as the summary says what was decided, not only what was discussed.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Some items are confidential until announced. The summary should say 'one item not yet public' rather than leave it out silently.",
                to: None,
            },
        ],
    },
    // 30
    Topic {
        zone: "customers",
        by: 2,
        title: "Should every engineer spend one day a quarter on support?",
        body: "Engineers rarely see what customers struggle with. A proposal: every engineer spends **one day a quarter answering tickets** alongside support, starting with the easy ones.",
        replies: &[
            Reply {
                by: 7,
                text: "Yes please, and sit with us rather than alone. Half the learning is hearing how we explain things.",
                to: None,
            },
            Reply {
                by: 4,
                text: "One day a quarter is four days a year per person. With 200 engineers that's 800 days of engineering time. Is it worth it?",
                to: None,
            },
            Reply {
                by: 2,
                text: "I think so, if it prevents even a few bugs or confusing screens. One fix can remove hundreds of tickets.",
                to: Some(1),
            },
            Reply {
                by: 10,
                text: "The last time an engineer sat with us, she fixed the date format bug the same afternoon. It had been causing about 60 tickets a month.",
                to: Some(1),
            },
            Reply {
                by: 4,
                text: "That's a good example. I'm convinced for product engineers; less sure for infrastructure.",
                to: Some(3),
            },
            Reply {
                by: 8,
                text: "Infrastructure sees the outages customers feel, so I'd argue it matters even more for us.",
                to: Some(4),
            },
            Reply {
                by: 11,
                text: "Support will need time to prepare: a list of tickets suitable for engineers, and someone to check their replies at first.",
                to: None,
            },
            Reply {
                by: 7,
                text: "I'd happily prepare that list. Tickets about settings and exports would be a good start.",
                to: Some(6),
            },
            Reply {
                by: 1,
                text: "Would this count as part of people's normal work, or on top? If it's on top, it won't last.",
                to: None,
            },
            Reply {
                by: 0,
                text: "It counts as normal work, not on top. We'll start with **product engineers in Q3**, one day each, and review it in Q4 using Kiri's ticket numbers before extending it to infrastructure.",
                to: Some(8),
            },
            Reply {
                by: 2,
                text: "Thank you. I'll set up the rota and pair each engineer with a support colleague.",
                to: Some(9),
            },
            Reply {
                by: 6,
                text: "Could we do the reverse too? Support people spending a day with engineering to see how fixes get prioritised.",
                to: None,
            },
            Reply {
                by: 10,
                text: "I'd sign up for that in a heartbeat.",
                to: Some(11),
            },
        ],
    },
    // 31
    Topic {
        zone: "people",
        by: 11,
        title: "Quiet rooms in every office",
        body: "Open-plan floors work for a lot of things, but not for prayer, expressing milk, a difficult personal phone call or a moment of rest. Only two of our six offices have a quiet room. Could every office have at least one?",
        replies: &[
            Reply {
                by: 3,
                text: "The east office turned a storage room into one last year. It cost very little and it's used every day.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Please keep them bookable only in short slots, or they become a private office for one person.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Good point: 30-minute slots at most.",
                to: Some(1),
            },
        ],
    },
    // 32
    Topic {
        zone: "stakeholders",
        by: 8,
        title: "Solar panels on the Northgate depot roof",
        body: "The Northgate depot has a large flat roof facing south. A rough estimate from a contractor says solar panels could cover about **35% of the site's electricity**, paying back in around seven years. Is it worth a proper study?",
        replies: &[
            Reply {
                by: 1,
                text: "Seven years is fine for a site we'll keep. The Northgate lease runs for another 15 years, so the numbers work.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Is the roof strong enough? The older part of the building needed repairs two years ago.",
                to: None,
            },
            Reply {
                by: 8,
                text: "That's the first thing the study would check.",
                to: Some(1),
            },
            Reply {
                by: 4,
                text: "If we do it, publish the generation figures next to the monthly energy numbers. It's a good story.",
                to: None,
            },
            Reply {
                by: 0,
                text: "Yes to the study. Ivan, please commission it this quarter; the money comes from the facilities sustainability budget. We'll decide once we know the roof can take it.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Thanks. I'll get three quotes and post the results here.",
                to: Some(4),
            },
        ],
    },
    // 33
    Topic {
        zone: "customers",
        by: 1,
        title: "Invoice emails that customers can actually read",
        body: "Our invoice emails are an attached PDF and one line of text. Customers reply asking what they're paying for. I'd like the email itself to show **the amount, the period, the plan and a contact**, with the PDF as a backup.",
        replies: &[
            Reply {
                by: 10,
                text: "Billing questions are about 9% of our tickets. Most of them would disappear with this.",
                to: None,
            },
            Reply {
                by: 9,
                text: "Please make sure it reads well on a phone. Many small customers only check email there.",
                to: None,
            },
        ],
    },
    // 34
    Topic {
        zone: "people",
        by: 4,
        title: "Can we stop scheduling meetings over lunch?",
        body: "Lunchtime meetings have crept back, mostly because calendars are full. Could we agree that **12:00 to 13:00 stays free** unless everyone in the meeting agrees otherwise?",
        replies: &[
            Reply {
                by: 6,
                text: "This is close to the Wednesday afternoons pilot, isn't it? I'd fold both into one short guideline on meetings.",
                to: None,
            },
            Reply {
                by: 11,
                text: "People have lunch at different times, especially across time zones. A fixed hour doesn't suit everyone.",
                to: None,
            },
            Reply {
                by: 4,
                text: "True. Maybe the rule is simply: don't book over someone's lunch block if they have one in their calendar.",
                to: Some(1),
            },
            Reply {
                by: 2,
                text: "That's easy to follow. I'd support it.",
                to: Some(2),
            },
        ],
    },
    // 35
    Topic {
        zone: "stakeholders",
        by: 6,
        title: "Business travel: train first for trips under five hours",
        body: "Most of our internal flights are between two cities four hours apart by train. I'd propose **train by default for trips under five hours**, with exceptions for urgent travel. Trains also mean working time rather than airport time.",
        replies: &[
            Reply {
                by: 1,
                text: "Train tickets booked late are often dearer than flights. The policy should encourage booking early.",
                to: None,
            },
            Reply {
                by: 7,
                text: "I switched to the train last year. Four hours of working time, and door to door it was only 40 minutes longer.",
                to: None,
            },
            Reply {
                by: 8,
                text: "Be careful with people who have caring responsibilities. A longer trip might mean a night away from home.",
                to: None,
            },
            Reply {
                by: 6,
                text: "Agreed, that should be an allowed exception.",
                to: Some(2),
            },
            Reply {
                by: 5,
                text: "We'll update the travel policy to train-first for trips under five hours at the spring policy review, with exceptions for urgent travel and caring responsibilities. Finance will track the cost for the first year.",
                to: None,
            },
        ],
    },
    // 36
    Topic {
        zone: "customers",
        by: 3,
        title: "Offer support in Spanish and Portuguese during business hours",
        body: "About 18% of our new customers last year were in Spain, Portugal and Latin America, and support is English only. We already have five staff who speak Spanish and three who speak Portuguese. Could we **route tickets by language** during their working hours?",
        replies: &[
            Reply {
                by: 10,
                text: "Routing is easy to set up. The hard part is cover when those few people are on holiday.",
                to: None,
            },
            Reply {
                by: 7,
                text: "We could promise the language only during set hours and fall back to English otherwise, saying so clearly.",
                to: Some(0),
            },
            Reply {
                by: 3,
                text: "That's honest and workable.",
                to: Some(1),
            },
            Reply {
                by: 2,
                text: "Would the help centre articles need translating too? Otherwise customers get a Spanish reply that links to English articles.",
                to: None,
            },
        ],
    },
    // 37
    Topic {
        zone: "people",
        by: 11,
        title: "Job shadowing for a day in another team",
        body: "I spent a day with the warehouse team last month and learned more than in a year of emails. I'd like a simple **job shadowing scheme**: anyone can ask to spend a day with another team, twice a year, with their manager's OK.",
        replies: &[
            Reply {
                by: 8,
                text: "The warehouse team enjoyed having you. We'd host more people, as long as it's not during the December peak.",
                to: None,
            },
            Reply {
                by: 2,
                text: "A simple sign-up list per team, with the dates they can host, would make it easy.",
                to: None,
            },
            Reply {
                by: 5,
                text: "This is cheap and valuable. We'll set up the sign-up list next month, and shadowing days will count as learning time.",
                to: Some(1),
            },
        ],
    },
    // 38
    Topic {
        zone: "stakeholders",
        by: 5,
        title: "Which charity should the company match this year?",
        body: "Each year we match staff donations to one charity, up to 50,000 in total. Last year it was a children's hospital. Please **suggest charities in this thread** by the end of the month, with a sentence on why, and we'll put the top five to a staff vote.",
        replies: &[
            Reply {
                by: 3,
                text: "The regional food bank. Demand has doubled in two years and several of us already volunteer there.",
                to: None,
            },
            Reply {
                by: 8,
                text: "A mental health charity. Many of us have been affected, and it's still hard to talk about.",
                to: None,
            },
            Reply {
                by: 6,
                text: "Something local to each site would be nice, even if the match is split.",
                to: None,
            },
            Reply {
                by: 5,
                text: "Splitting across sites is an interesting idea. Each gift gets smaller but closer to home. We could put it in the vote as an option.",
                to: Some(2),
            },
            Reply {
                by: 11,
                text: "An adult literacy charity. Low literacy is more common than people think, and it's close to our own push for plain language.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Please check that the charities are registered and publish their accounts. It's a quick check and saves awkward questions later.",
                to: None,
            },
            Reply {
                by: 9,
                text: "I'll set up the vote here when suggestions close, with one poll option per charity.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Seconding the food bank. Their warehouse is five minutes from our east office.",
                to: Some(0),
            },
        ],
    },
    // 39
    Topic {
        zone: "customers",
        by: 10,
        title: "A known issues page customers can check themselves",
        body: "When something breaks, we answer the same question hundreds of times. A public **known issues page**, updated by support, would let customers check before they write in and see when a problem is fixed.",
        replies: &[
            Reply {
                by: 2,
                text: "We'd need to agree who can post there. Posting a bug that turns out not to be one would confuse people.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Support leads could post, with a quick check from the on-call engineer.",
                to: Some(0),
            },
            Reply {
                by: 1,
                text: "Would legal be nervous about admitting faults in public?",
                to: None,
            },
            Reply {
                by: 7,
                text: "Customers already know when something is broken. Saying so publicly builds trust.",
                to: Some(2),
            },
            Reply {
                by: 4,
                text: "Add a 'last updated' time to every entry. An old entry with no date looks abandoned.",
                to: None,
            },
            Reply {
                by: 3,
                text: "And an email option for people who want to hear when a specific issue is fixed.",
                to: Some(4),
            },
        ],
    },
    // 40
    Topic {
        zone: "people",
        by: 7,
        title: "Inclusive language in job adverts",
        body: "I reviewed ten of our recent job adverts. Seven asked for a 'rockstar' or a 'ninja', and four listed a degree as required for jobs that don't need one. Could we agree **a short checklist for adverts** before they go out?",
        replies: &[
            Reply {
                by: 11,
                text: "Happy to help write it. Plain words, required versus nice-to-have, and a line saying we welcome people who don't tick every box.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Dropping the degree requirement noticeably widened our finance applicant pool last year.",
                to: None,
            },
            Reply {
                by: 5,
                text: "Thank you, Hana. Recruiting will adopt a checklist from next month. Please share your review with them and they'll start from your examples.",
                to: None,
            },
        ],
    },
    // 41
    Topic {
        zone: "stakeholders",
        by: 0,
        title: "Questions from the annual shareholder meeting, answered here",
        body: "At the annual meeting last week, shareholders asked about the dividend, the warehouse delay and our carbon targets. Many of you own shares through the share plan, so I'll **answer the main questions here** in plain words. Ask follow-ups below.",
        replies: &[
            Reply {
                by: 1,
                text: "Could you say why the dividend stayed flat this year? Several colleagues in the share plan have asked me.",
                to: None,
            },
            Reply {
                by: 0,
                text: "We kept it flat to pay for the warehouse and the new ordering system without borrowing more. We expect to raise it again once the warehouse opens.",
                to: Some(0),
            },
            Reply {
                by: 11,
                text: "On carbon: is the 2030 target still realistic after the warehouse delay?",
                to: None,
            },
            Reply {
                by: 0,
                text: "Yes, but it's tight. The new warehouse is more efficient than the two it replaces, so the delay costs us about a year of savings. We'll publish progress every six months.",
                to: Some(2),
            },
            Reply {
                by: 6,
                text: "Thanks for doing this in the open. Much easier than reading the formal minutes.",
                to: None,
            },
        ],
    },
    // 42
    Topic {
        zone: "customers",
        by: 8,
        title: "Ask churned customers why they left",
        body: "When a customer cancels, we send an automated survey and about 5% answer it. I'd suggest a **short call with every cancelled account over a certain size**, done by someone outside sales, so customers feel free to be honest.",
        replies: &[
            Reply {
                by: 11,
                text: "Research can do these. Fifteen minutes, three questions, and we share the themes monthly.",
                to: None,
            },
            Reply {
                by: 2,
                text: "Please include customers who downgraded, not only those who left. They often tell you more.",
                to: None,
            },
            Reply {
                by: 1,
                text: "What size threshold? I'd start with accounts over 10,000 a year; that's about 40 cancellations a year.",
                to: None,
            },
            Reply {
                by: 8,
                text: "40 a year sounds manageable for a start.",
                to: Some(2),
            },
        ],
    },
    // 43
    Topic {
        zone: "people",
        by: 1,
        title: "Four weeks' notice for summer holiday requests",
        body: "Several teams ran short-staffed in August because holiday requests overlapped. Could we ask for **summer holiday requests four weeks ahead**, so managers can plan cover? Exceptions for emergencies, of course.",
        replies: &[],
    },
    // 44
    Topic {
        zone: "stakeholders",
        by: 2,
        title: "Work experience places for local school students",
        body: "The secondary school near our main site asked whether we could host students for a week of work experience. I'd suggest we offer **ten places a year**, spread across teams, with one host for each student.",
        replies: &[],
    },
    // 45
    Topic {
        zone: "customers",
        by: 9,
        title: "Sign every reply to a complaint with a real name",
        body: "Complaint replies go out signed 'The Support Team'. Customers who are already upset find that cold. I'd propose every complaint reply is **signed by the person who wrote it**, with their first name.",
        replies: &[
            Reply {
                by: 10,
                text: "Agreed, but first names only. Some colleagues have had abusive customers look them up.",
                to: None,
            },
            Reply {
                by: 3,
                text: "First names only, and the option of a work name if someone prefers.",
                to: Some(0),
            },
        ],
    },
    // 46
    Topic {
        zone: "people",
        by: 8,
        title: "Should all-hands go from an hour to 30 minutes?",
        body: "The monthly all-hands runs for an hour, and the last 20 minutes are usually slides people could read. I'd propose **30 minutes**, with written updates shared the day before and the time used for questions.",
        replies: &[
            Reply {
                by: 1,
                text: "Yes. The best part is always the questions, and we usually run out of time for them.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Written updates the day before only work if people read them. Could we take two minutes at the start to summarise?",
                to: None,
            },
            Reply {
                by: 8,
                text: "Two minutes is fine, as long as it doesn't grow back to twenty.",
                to: Some(1),
            },
            Reply {
                by: 0,
                text: "Let's try it. The next three all-hands will be 30 minutes, with updates posted here the day before and at least half the time for questions. We'll ask afterwards whether to keep it.",
                to: None,
            },
            Reply {
                by: 9,
                text: "I'll post the updates as a topic the day before, so questions can start in writing.",
                to: Some(3),
            },
        ],
    },
    // 47
    Topic {
        zone: "stakeholders",
        by: 4,
        title: "Should partners get early access to product changes?",
        body: "Partners who build on our product learn about changes on release day, and their customers notice breakages before they do. A **four-week preview** for partners would give them time to adapt.",
        replies: &[
            Reply {
                by: 2,
                text: "Four weeks is hard for small changes; we ship weekly. Two weeks for anything that changes an API, maybe?",
                to: None,
            },
            Reply {
                by: 4,
                text: "Two weeks for API changes would already fix most of the pain.",
                to: Some(0),
            },
            Reply {
                by: 1,
                text: "Could the partner advisory group decide the notice period with us? They know their own release cycles.",
                to: None,
            },
        ],
    },
    // 48
    Topic {
        zone: "customers",
        by: 6,
        title: "Captions on all our product videos",
        body: "Only a few of our 40 help videos have captions, and the automatic ones get product names wrong. Captions help deaf customers, people watching without sound and people whose first language isn't English. Could we caption all of them by the end of the year?",
        replies: &[],
    },
    // 49
    Topic {
        zone: "people",
        by: 10,
        title: "A buddy for every new starter, from outside their team",
        body: "Managers help with the job, but new starters also need someone for the small questions: where to eat, who to ask about payroll, whether it's OK to leave at five. I'd suggest **every new starter gets a buddy from another team** for their first three months.",
        replies: &[
            Reply {
                by: 9,
                text: "This fits the onboarding checklist thread well. I'll add a link there.",
                to: None,
            },
            Reply {
                by: 6,
                text: "My buddy was in my own team and I felt I couldn't ask the 'silly' questions. Someone from another team would have been better.",
                to: None,
            },
            Reply {
                by: 3,
                text: "Buddies need a short briefing, or they'll just say 'ask me anything' and never hear from the starter.",
                to: None,
            },
            Reply {
                by: 10,
                text: "Good point. A one-page guide: meet in week one, coffee every two weeks, finish at three months.",
                to: Some(2),
            },
        ],
    },
    // 50
    Topic {
        zone: "stakeholders",
        by: 7,
        title: "Cut single-use plastic in customer shipments",
        body: "Customers regularly send us photos of a small part in a big box full of plastic air pillows. I'd like us to switch to **paper fill and right-sized boxes**, and tell customers we've done it.",
        replies: &[
            Reply {
                by: 8,
                text: "Warehouse view: right-sized boxes mean stocking more box sizes. We can manage six sizes instead of three, not twenty.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Paper fill costs a bit more per order, but lighter parcels cost less to ship. It may come out even.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Six sizes would already fix most of the photos I see.",
                to: Some(0),
            },
            Reply {
                by: 0,
                text: "Let's do it at one site first. Ivan, please trial paper fill and six box sizes at the east warehouse for two months and share the cost per order here.",
                to: None,
            },
        ],
    },
    // 51
    Topic {
        zone: "customers",
        by: 11,
        title: "Are seven welcome emails in ten days too many?",
        body: "New customers get seven emails in their first ten days. The open rate drops from 70% on the first to 12% on the last. I'd suggest **three emails**, each with one clear action.",
        replies: &[
            Reply {
                by: 4,
                text: "Which of the seven actually lead customers to do something? I'd keep those and cut the rest.",
                to: None,
            },
            Reply {
                by: 11,
                text: "The first and the fourth, by far. The fourth is the one about inviting colleagues.",
                to: Some(0),
            },
        ],
    },
    // 52
    Topic {
        zone: "people",
        by: 2,
        title: "Make salary bands visible inside the company",
        body: "Most of us don't know the pay range for our own level, let alone anyone else's. Publishing **salary bands internally** would make pay conversations fairer and help people see what a promotion means.",
        replies: &[
            Reply {
                by: 11,
                text: "Strongly agree. I only found out I was at the bottom of my band when I changed jobs internally.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Finance supports this in principle, but some bands are wide for historical reasons. Publishing them will raise questions we need to be ready to answer.",
                to: None,
            },
            Reply {
                by: 2,
                text: "Those questions exist already; people just ask them privately. Better to answer them once.",
                to: Some(1),
            },
            Reply {
                by: 6,
                text: "Would individual salaries stay private? I'd be uncomfortable otherwise.",
                to: None,
            },
            Reply {
                by: 2,
                text: "Yes, bands only, never individual salaries.",
                to: Some(3),
            },
            Reply {
                by: 8,
                text: "Pay transparency laws are coming in several countries anyway. We'll have to do this sooner or later.",
                to: None,
            },
            Reply {
                by: 5,
                text: "We will **publish salary bands internally with the January pay cycle**. Before that, we'll review the widest bands and fix the ones we can't explain. I'll post the timeline here.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Thank you. Will managers get guidance on how to talk about it with their teams?",
                to: Some(6),
            },
            Reply {
                by: 5,
                text: "Yes, a short briefing in December, before the bands go live.",
                to: Some(7),
            },
        ],
    },
    // 53
    Topic {
        zone: "stakeholders",
        by: 3,
        title: "A yearly letter to the neighbours of our main site",
        body: "The houses around our main site hear our delivery trucks from 6am. Once a year we could send them a **short letter**: what's changing on the site, a contact for complaints, and an invitation to an open afternoon.",
        replies: &[],
    },
    // 54
    Topic {
        zone: "customers",
        by: 4,
        title: "Free trial length: 14 days or 30?",
        body: "Our free trial is 14 days, but most trial accounts only invite their first colleague on day 9 or 10. Would a **30-day trial** give teams enough time to see whether the product fits, or just delay decisions?",
        replies: &[],
    },
    // 55
    Topic {
        zone: "people",
        by: 6,
        title: "Better desk setup support for people working from home",
        body: "The home office allowance covers a chair and a screen, but nobody checks whether the setup is any good. A **15-minute video check with facilities** could prevent a lot of back and neck pain.",
        replies: &[],
    },
    // 56
    Topic {
        zone: "stakeholders",
        by: 11,
        title: "Which sustainability numbers should we report, and how often?",
        body: "We report a long list of figures once a year. I'd suggest a **short list of five**, reported every quarter in the same place as the energy page:\n\n- energy\n- fuel\n- waste\n- water\n- business travel",
        replies: &[
            Reply {
                by: 8,
                text: "Energy and fuel we already have monthly. Waste figures only come quarterly from the contractor, so quarterly works.",
                to: None,
            },
            Reply {
                by: 1,
                text: "Water is tiny for us compared with the others. I'd swap it for supplier emissions, which is where most of our footprint is.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Supplier emissions are hard to measure, though. We'd be reporting estimates.",
                to: Some(1),
            },
            Reply {
                by: 1,
                text: "Estimates, clearly labelled, are better than leaving out the biggest part.",
                to: Some(2),
            },
            Reply {
                by: 4,
                text: "Please show the same five numbers the same way every quarter. Changing the format each time makes comparison impossible.",
                to: None,
            },
            Reply {
                by: 7,
                text: "Customers ask about this in tenders now. A standard page would save sales a lot of work.",
                to: None,
            },
            Reply {
                by: 6,
                text: "Put the target next to each number, so people can see whether we're on track, not just the figure.",
                to: Some(4),
            },
            Reply {
                by: 0,
                text: "Agreed: **five numbers, quarterly, with targets**, starting with the Q3 figures. Supplier emissions go in as a labelled estimate instead of water. Lena, please own the page together with Ivan.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Happy to. I'll share a draft layout next week.",
                to: Some(7),
            },
            Reply {
                by: 8,
                text: "I'll send the energy and fuel data in whatever format Lena needs.",
                to: Some(8),
            },
            Reply {
                by: 3,
                text: "Could the draft layout be posted as its own topic? It'll get lost at the bottom of this one.",
                to: Some(8),
            },
        ],
    },
    // 57
    Topic {
        zone: "customers",
        by: 7,
        title: "Why do renewal reminders arrive only a week before?",
        body: "Customers on annual plans get one renewal reminder, seven days before payment. Several told us this month that's too late to get internal approval. Could we also send reminders at **60 and 14 days**?",
        replies: &[],
    },
    // 58
    Topic {
        zone: "people",
        by: 9,
        title: "Supporting colleagues who fast during Ramadan",
        body: "Ramadan starts in a few weeks. A few simple things help colleagues who are fasting: **avoid late-afternoon meetings where possible**, don't make team lunches the only social event, and allow flexible hours. What else has worked in your teams?",
        replies: &[
            Reply {
                by: 8,
                text: "Our team moved its weekly social from lunch to a morning coffee during Ramadan. Everyone liked it, so we kept it.",
                to: None,
            },
            Reply {
                by: 11,
                text: "Ask rather than assume. Not everyone fasts, and those who do have different preferences.",
                to: None,
            },
            Reply {
                by: 5,
                text: "Thank you for posting this. Flexible hours during Ramadan are already allowed; we'll remind managers a week before it starts and share this thread with them.",
                to: None,
            },
        ],
    },
    // 59
    Topic {
        zone: "stakeholders",
        by: 1,
        title: "Make the conflict-of-interest register easier to use",
        body: "To declare a conflict of interest, you fill in a Word form and email it to legal. Most people don't know it exists. A **short online form** and a yearly reminder would make people far more likely to declare things.",
        replies: &[],
    },
];
