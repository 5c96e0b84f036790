package assessments_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/assessments"
)

type (
	question = assessments.Question
	option   = assessments.Option
	answer   = assessments.TextAnswer
	number   = assessments.NumericAnswer
	pair     = assessments.Pair
)

// wantErr is one expected ParseError: its position, and a part of its message.
type wantErr struct {
	line, col int
	msg       string
}

// giftCase is one ParseGIFT case. Questions in want get ID "q1", "q2" … by
// position and Points 1 unless they set them.
type giftCase struct {
	name string
	src  string
	want []question
	errs []wantErr
}

var giftCases = []giftCase{
	// Single choice.
	{name: "SingleChoice", src: "Who owns a complaint? {=The first person who hears it ~The manager ~Nobody}",
		want: []question{{Type: assessments.SingleChoice, Text: "Who owns a complaint?", Options: []option{
			{ID: "a", Text: "The first person who hears it", Weight: 100}, {ID: "b", Text: "The manager"}, {ID: "c", Text: "Nobody"}}}}},
	{name: "SingleChoiceFeedback", src: "Greet first? {=Yes#Always. ~No#Never skip it.}",
		want: []question{{Type: assessments.SingleChoice, Text: "Greet first?", Options: []option{
			{ID: "a", Text: "Yes", Weight: 100, Feedback: "Always."}, {ID: "b", Text: "No", Feedback: "Never skip it."}}}}},
	{name: "SingleChoiceOnSeveralLines", src: "Pick one.\n{\n  =right # good\n  ~wrong\n  ~also wrong\n}",
		want: []question{{Type: assessments.SingleChoice, Text: "Pick one.", Options: []option{
			{ID: "a", Text: "right", Weight: 100, Feedback: "good"}, {ID: "b", Text: "wrong"}, {ID: "c", Text: "also wrong"}}}}},
	{name: "SingleChoiceSeveralRight", src: "Good openers? {=Hello =Good morning ~What}",
		want: []question{{Type: assessments.SingleChoice, Text: "Good openers?", Options: []option{
			{ID: "a", Text: "Hello", Weight: 100}, {ID: "b", Text: "Good morning", Weight: 100}, {ID: "c", Text: "What"}}}}},
	{name: "SingleChoicePartialAndNegative", src: "Best reply? {=Sorry, let me fix it ~%50%Sorry ~%-25%Not my problem}",
		want: []question{{Type: assessments.SingleChoice, Text: "Best reply?", Options: []option{
			{ID: "a", Text: "Sorry, let me fix it", Weight: 100}, {ID: "b", Text: "Sorry", Weight: 50}, {ID: "c", Text: "Not my problem", Weight: -25}}}}},
	{name: "SingleChoiceWeightOnEquals", src: "Q? {=%100%a ~b ~%100%c}",
		want: []question{{Type: assessments.SingleChoice, Text: "Q?", Options: []option{
			{ID: "a", Text: "a", Weight: 100}, {ID: "b", Text: "b"}, {ID: "c", Text: "c", Weight: 100}}}}},
	{name: "SingleChoiceGeneralFeedback", src: "Q? {=a ~b ####Listen first.}",
		want: []question{{Type: assessments.SingleChoice, Text: "Q?", GeneralFeedback: "Listen first.", Options: []option{
			{ID: "a", Text: "a", Weight: 100}, {ID: "b", Text: "b"}}}}},
	{name: "SingleChoiceFeedbackAndGeneralFeedback", src: "Q? {\n=a#yes\n~b#no\n####Both.\n}",
		want: []question{{Type: assessments.SingleChoice, Text: "Q?", GeneralFeedback: "Both.", Options: []option{
			{ID: "a", Text: "a", Weight: 100, Feedback: "yes"}, {ID: "b", Text: "b", Feedback: "no"}}}}},
	{name: "PercentTextIsNotAWeight", src: "Offer? {=%10 off next time ~nothing}",
		want: []question{{Type: assessments.SingleChoice, Text: "Offer?", Options: []option{
			{ID: "a", Text: "%10 off next time", Weight: 100}, {ID: "b", Text: "nothing"}}}}},
	{name: "ArrowInChoiceIsText", src: "Route? {=Agent -> team lead ~Agent -> nobody}",
		want: []question{{Type: assessments.SingleChoice, Text: "Route?", Options: []option{
			{ID: "a", Text: "Agent -> team lead", Weight: 100}, {ID: "b", Text: "Agent -> nobody"}}}}},

	// Multiple response.
	{name: "MultipleResponse", src: "Which help? {~%50%Listening ~%50%Apologising ~%-100%Arguing}",
		want: []question{{Type: assessments.MultipleResponse, Text: "Which help?", Options: []option{
			{ID: "a", Text: "Listening", Weight: 50}, {ID: "b", Text: "Apologising", Weight: 50}, {ID: "c", Text: "Arguing", Weight: -100}}}}},
	{name: "MultipleResponseThirds", src: "Q? {~%33.333%a ~%33.333%b ~%33.333%c ~d}",
		want: []question{{Type: assessments.MultipleResponse, Text: "Q?", Options: []option{
			{ID: "a", Text: "a", Weight: 33.333}, {ID: "b", Text: "b", Weight: 33.333}, {ID: "c", Text: "c", Weight: 33.333}, {ID: "d", Text: "d"}}}}},
	{name: "MultipleResponseOneFullWeight", src: "Q? {~%100%a ~b#not this}",
		want: []question{{Type: assessments.MultipleResponse, Text: "Q?", Options: []option{
			{ID: "a", Text: "a", Weight: 100}, {ID: "b", Text: "b", Feedback: "not this"}}}}},

	// True/false: {T#wrong answer feedback#right answer feedback}, as in Moodle.
	{name: "TrueShort", src: "Smile on the phone? {T}",
		want: []question{{Type: assessments.TrueFalse, Text: "Smile on the phone?", Correct: true}}},
	{name: "TrueLong", src: "Q {TRUE}", want: []question{{Type: assessments.TrueFalse, Text: "Q", Correct: true}}},
	{name: "FalseShort", src: "Q {F}", want: []question{{Type: assessments.TrueFalse, Text: "Q"}}},
	{name: "FalseLong", src: "Q {FALSE}", want: []question{{Type: assessments.TrueFalse, Text: "Q"}}},
	{name: "TrueLowerCase", src: "Q {true}", want: []question{{Type: assessments.TrueFalse, Text: "Q", Correct: true}}},
	{name: "TrueFeedback", src: "Q {T#No: it is true.#Yes!}",
		want: []question{{Type: assessments.TrueFalse, Text: "Q", Correct: true, FalseFeedback: "No: it is true.", TrueFeedback: "Yes!"}}},
	{name: "FalseFeedback", src: "Q {F#No: it is false.#Yes!}",
		want: []question{{Type: assessments.TrueFalse, Text: "Q", TrueFeedback: "No: it is false.", FalseFeedback: "Yes!"}}},
	{name: "TrueWrongFeedbackOnly", src: "Q {TRUE#Think again.}",
		want: []question{{Type: assessments.TrueFalse, Text: "Q", Correct: true, FalseFeedback: "Think again."}}},
	{name: "TrueRightFeedbackOnly", src: "Q {T##Well done.}",
		want: []question{{Type: assessments.TrueFalse, Text: "Q", Correct: true, TrueFeedback: "Well done."}}},
	{name: "FalseGeneralFeedback", src: "Q {F#w#r####General.}",
		want: []question{{Type: assessments.TrueFalse, Text: "Q", TrueFeedback: "w", FalseFeedback: "r", GeneralFeedback: "General."}}},

	// Short answer.
	{name: "ShortAnswer", src: "Name the skill. {=empathy =empathic listening}",
		want: []question{{Type: assessments.ShortAnswer, Text: "Name the skill.", Answers: []answer{
			{Text: "empathy", Weight: 100}, {Text: "empathic listening", Weight: 100}}}}},
	{name: "ShortAnswerWeightsAndFeedback", src: "Name it. {=empathy#Yes =%50%sympathy#Close =%0%pity#No}",
		want: []question{{Type: assessments.ShortAnswer, Text: "Name it.", Answers: []answer{
			{Text: "empathy", Weight: 100, Feedback: "Yes"}, {Text: "sympathy", Weight: 50, Feedback: "Close"}, {Text: "pity", Feedback: "No"}}}}},
	{name: "ShortAnswerWildcard", src: "Refund word? {=*refund*}",
		want: []question{{Type: assessments.ShortAnswer, Text: "Refund word?", Answers: []answer{{Text: "*refund*", Weight: 100}}}}},
	{name: "ShortAnswerTextAfter", src: "Always {=own =take ownership of} the problem.",
		want: []question{{Type: assessments.ShortAnswer, Text: "Always", TextAfter: "the problem.", Answers: []answer{
			{Text: "own", Weight: 100}, {Text: "take ownership of", Weight: 100}}}}},

	// Numeric.
	{name: "Numeric", src: "Rings before answering? {#3}",
		want: []question{{Type: assessments.Numeric, Text: "Rings before answering?", Numbers: []number{{Value: 3, Weight: 100}}}}},
	{name: "NumericTolerance", src: "Q {#5:0.5}",
		want: []question{{Type: assessments.Numeric, Text: "Q", Numbers: []number{{Value: 5, Tolerance: 0.5, Weight: 100}}}}},
	{name: "NumericRange", src: "Q {#1..5}",
		want: []question{{Type: assessments.Numeric, Text: "Q", Numbers: []number{{IsRange: true, Min: 1, Max: 5, Weight: 100}}}}},
	{name: "NumericNegativeRange", src: "Q {#-5.5..-1}",
		want: []question{{Type: assessments.Numeric, Text: "Q", Numbers: []number{{IsRange: true, Min: -5.5, Max: -1, Weight: 100}}}}},
	{name: "NumericSeveral", src: "Q {#=%100%5:0 =%50%5:2}",
		want: []question{{Type: assessments.Numeric, Text: "Q", Numbers: []number{{Value: 5, Weight: 100}, {Value: 5, Tolerance: 2, Weight: 50}}}}},
	{name: "NumericFeedbackAndOtherwise", src: "Q {#\n=24#Right\n=%50%48#Two days is the upper limit\n~#Check the standard\n}",
		want: []question{{Type: assessments.Numeric, Text: "Q", Numbers: []number{
			{Value: 24, Weight: 100, Feedback: "Right"}, {Value: 48, Weight: 50, Feedback: "Two days is the upper limit"},
			{IsRange: true, Min: -math.MaxFloat64, Max: math.MaxFloat64, Feedback: "Check the standard"}}}}},
	{name: "NumericBareFeedback", src: "Q {#42#Of course.}",
		want: []question{{Type: assessments.Numeric, Text: "Q", Numbers: []number{{Value: 42, Weight: 100, Feedback: "Of course."}}}}},
	{name: "NumericTextAfter", src: "Answer within {#3} rings.",
		want: []question{{Type: assessments.Numeric, Text: "Answer within", TextAfter: "rings.", Numbers: []number{{Value: 3, Weight: 100}}}}},

	// Matching.
	{name: "Matching", src: "Match. {=Late parcel -> Apologise and track it =Double charge -> Refund it =Rude agent -> Escalate}",
		want: []question{{Type: assessments.Matching, Text: "Match.", Pairs: []pair{
			{ID: "p1", Left: "Late parcel", Right: "Apologise and track it"}, {ID: "p2", Left: "Double charge", Right: "Refund it"},
			{ID: "p3", Left: "Rude agent", Right: "Escalate"}}}}},
	{name: "MatchingTwoPairsOnLines", src: "Match.\n{\n=a->1\n=b -> 2\n}",
		want: []question{{Type: assessments.Matching, Text: "Match.", Pairs: []pair{{ID: "p1", Left: "a", Right: "1"}, {ID: "p2", Left: "b", Right: "2"}}}}},
	{name: "MatchingDistractor", src: "Match. {=a -> 1 =b -> 2 = -> 3}",
		want: []question{{Type: assessments.Matching, Text: "Match.", Pairs: []pair{
			{ID: "p1", Left: "a", Right: "1"}, {ID: "p2", Left: "b", Right: "2"}, {ID: "p3", Right: "3"}}}}},
	{name: "MatchingArrowInRight", src: "Match. {=a -> 1 -> 2 =b -> 3 ####Chains.}",
		want: []question{{Type: assessments.Matching, Text: "Match.", GeneralFeedback: "Chains.", Pairs: []pair{
			{ID: "p1", Left: "a", Right: "1 -> 2"}, {ID: "p2", Left: "b", Right: "3"}}}}},

	// Missing word.
	{name: "MissingWord", src: "Say {=sorry ~whatever ~nothing} before you explain.",
		want: []question{{Type: assessments.MissingWord, Text: "Say", TextAfter: "before you explain.", Options: []option{
			{ID: "a", Text: "sorry", Weight: 100}, {ID: "b", Text: "whatever"}, {ID: "c", Text: "nothing"}}}}},
	{name: "MissingWordAtStart", src: "{=Listen ~Talk} first, then answer.",
		want: []question{{Type: assessments.MissingWord, TextAfter: "first, then answer.", Options: []option{
			{ID: "a", Text: "Listen", Weight: 100}, {ID: "b", Text: "Talk"}}}}},
	{name: "MissingWordWithFeedback", src: "::Gap::A kept {=promise#Yes ~%50%word#Nearly ~deadline} builds trust.",
		want: []question{{ID: "gap", Title: "Gap", Type: assessments.MissingWord, Text: "A kept", TextAfter: "builds trust.", Options: []option{
			{ID: "a", Text: "promise", Weight: 100, Feedback: "Yes"}, {ID: "b", Text: "word", Weight: 50, Feedback: "Nearly"}, {ID: "c", Text: "deadline"}}}}},

	// Essay and ordering.
	{name: "Essay", src: "Describe a recovery you are proud of. {}",
		want: []question{{Type: assessments.Essay, Text: "Describe a recovery you are proud of."}}},
	{name: "EssayGeneralFeedback", src: "Describe it. {\n####Look for ownership.\n}",
		want: []question{{Type: assessments.Essay, Text: "Describe it.", GeneralFeedback: "Look for ownership."}}},
	{name: "Ordering", src: "Order the steps. {>Listen >Apologise >Fix >Follow up}",
		want: []question{{Type: assessments.Ordering, Text: "Order the steps.", Options: []option{
			{ID: "a", Text: "Listen"}, {ID: "b", Text: "Apologise"}, {ID: "c", Text: "Fix"}, {ID: "d", Text: "Follow up"}}}}},
	{name: "OrderingFeedbackAndEscapedGreaterThan", src: "Order. {\n>first#Start here\n>a \\> b\n>last\n####Done.\n}",
		want: []question{{Type: assessments.Ordering, Text: "Order.", GeneralFeedback: "Done.", Options: []option{
			{ID: "a", Text: "first", Feedback: "Start here"}, {ID: "b", Text: "a > b"}, {ID: "c", Text: "last"}}}}},

	// Titles and ids.
	{name: "TitleSlug", src: "::Call-back promise (v2)::When? {T}",
		want: []question{{ID: "call-back-promise-v2", Title: "Call-back promise (v2)", Type: assessments.TrueFalse, Text: "When?", Correct: true}}},
	{name: "DuplicateTitles", src: "::Recovery::A {T}\n\n::recovery::B {T}\n\n::RECOVERY!::C {T}",
		want: []question{
			{ID: "recovery", Title: "Recovery", Type: assessments.TrueFalse, Text: "A", Correct: true},
			{ID: "recovery-2", Title: "recovery", Type: assessments.TrueFalse, Text: "B", Correct: true},
			{ID: "recovery-3", Title: "RECOVERY!", Type: assessments.TrueFalse, Text: "C", Correct: true}}},
	{name: "TitleWithoutLettersGetsPosition", src: "A {T}\n\n::¿¡::B {F}",
		want: []question{{Type: assessments.TrueFalse, Text: "A", Correct: true}, {Title: "¿¡", Type: assessments.TrueFalse, Text: "B"}}},
	{name: "TitleTakingAGeneratedID", src: "::Q2::A {T}\n\nB {F}",
		want: []question{{ID: "q2", Title: "Q2", Type: assessments.TrueFalse, Text: "A", Correct: true}, {ID: "q2-2", Type: assessments.TrueFalse, Text: "B"}}},
	{name: "EmptyTitle", src: "::::// not a comment {T}",
		want: []question{{Type: assessments.TrueFalse, Text: "// not a comment", Correct: true}}},
	{name: "TitleOverSeveralLinesAndEscapedColon", src: "::Time\\: 3 pm\n::Call back? {T}",
		want: []question{{ID: "time-3-pm", Title: "Time: 3 pm", Type: assessments.TrueFalse, Text: "Call back?", Correct: true}}},

	// Categories and comments.
	{name: "Category", src: "$CATEGORY: Service/Recovery\n\nA {T}\n\n$CATEGORY: Service/Empathy\n\nB {F}\n\nC {T}",
		want: []question{
			{Type: assessments.TrueFalse, Text: "A", Correct: true, Category: "Service/Recovery"},
			{Type: assessments.TrueFalse, Text: "B", Category: "Service/Empathy"},
			{Type: assessments.TrueFalse, Text: "C", Correct: true, Category: "Service/Empathy"}}},
	{name: "CategoryRightAboveQuestion", src: "$CATEGORY: $course$/top/Service\nA {T}",
		want: []question{{Type: assessments.TrueFalse, Text: "A", Correct: true, Category: "$course$/top/Service"}}},
	{name: "CategoriesOnly", src: "// nothing yet\n$CATEGORY: a\n\n$CATEGORY: b\n"},
	{name: "EmptyFile", src: ""},
	{name: "Comments", src: "// question: 1 name: first\n::A::A {T}\n  // an indented comment\n\n// trailing comment",
		want: []question{{ID: "a", Title: "A", Type: assessments.TrueFalse, Text: "A", Correct: true}}},
	{name: "CommentInsideAnswerBlock", src: "Q {\n=a\n// ~not an answer\n~b\n}",
		want: []question{{Type: assessments.SingleChoice, Text: "Q", Options: []option{{ID: "a", Text: "a", Weight: 100}, {ID: "b", Text: "b"}}}}},
	{name: "URLIsNotAComment", src: "Read http://example.com/help first. {=https://example.com/a ~ftp://example.com/b}",
		want: []question{{Type: assessments.SingleChoice, Text: "Read http://example.com/help first.", Options: []option{
			{ID: "a", Text: "https://example.com/a", Weight: 100}, {ID: "b", Text: "ftp://example.com/b"}}}}},

	// Escapes and text.
	{name: "Escapes", src: `Write \{name\}, a \~ b \= c \# d\: e \\ f\nnext line {=\=\~\#\{\}#fb\: \#1 ~b}`,
		want: []question{{Type: assessments.SingleChoice, Text: "Write {name}, a ~ b = c # d: e \\ f\nnext line", Options: []option{
			{ID: "a", Text: "=~#{}", Weight: 100, Feedback: "fb: #1"}, {ID: "b", Text: "b"}}}}},
	{name: "UnknownEscapeIsKept", src: `Folder C:\temp\files? {T}`,
		want: []question{{Type: assessments.TrueFalse, Text: `Folder C:\temp\files?`, Correct: true}}},
	{name: "MultiLineText", src: "First line\n  second line\nthird {T}",
		want: []question{{Type: assessments.TrueFalse, Text: "First line\n  second line\nthird", Correct: true}}},

	// Formats.
	{name: "FormatHTML", src: "[html]<p>Smile?</p> {T}", want: []question{{Type: assessments.TrueFalse, Format: "html", Text: "<p>Smile?</p>", Correct: true}}},
	{name: "FormatMarkdownAfterTitle", src: "::T::[markdown]**Smile?** {T}",
		want: []question{{ID: "t", Title: "T", Type: assessments.TrueFalse, Format: "markdown", Text: "**Smile?**", Correct: true}}},
	{name: "FormatPlainAndMoodle", src: "[plain]A {T}\n\n[moodle]B {F}",
		want: []question{{Type: assessments.TrueFalse, Format: "plain", Text: "A", Correct: true}, {Type: assessments.TrueFalse, Format: "moodle", Text: "B"}}},
	{name: "FormatUpperCase", src: "[HTML]A {T}", want: []question{{Type: assessments.TrueFalse, Format: "html", Text: "A", Correct: true}}},
	{name: "BracketedTextIsNotAFormat", src: "[Urgent] A customer waits. Call? {T}",
		want: []question{{Type: assessments.TrueFalse, Text: "[Urgent] A customer waits. Call?", Correct: true}}},
	{name: "FormatInAnswersIsDropped", src: "[html]Q {=[html]<b>yes</b>#[html]<i>good</i> ~[plain]no ####[html]<b>gf</b>}",
		want: []question{{Type: assessments.SingleChoice, Format: "html", Text: "Q", GeneralFeedback: "<b>gf</b>", Options: []option{
			{ID: "a", Text: "<b>yes</b>", Weight: 100, Feedback: "<i>good</i>"}, {ID: "b", Text: "no"}}}}},

	// Files.
	{name: "WindowsLineEndingsAndBOM", src: "\uFEFF// comment\r\n::A::A {T}\r\n\r\n::B::B\r\n{\r\n=x\r\n~y\r\n}\r\n",
		want: []question{
			{ID: "a", Title: "A", Type: assessments.TrueFalse, Text: "A", Correct: true},
			{ID: "b", Title: "B", Type: assessments.SingleChoice, Text: "B", Options: []option{{ID: "a", Text: "x", Weight: 100}, {ID: "b", Text: "y"}}}}},
	{name: "BlankLinesWithSpaces", src: "\n\n  \nA {T}\n \t \nB {F}\n\n\n",
		want: []question{{Type: assessments.TrueFalse, Text: "A", Correct: true}, {Type: assessments.TrueFalse, Text: "B"}}},
	{name: "ManyOptions", src: "Q {=o1 ~o2 ~o3 ~o4 ~o5 ~o6 ~o7 ~o8 ~o9 ~o10 ~o11 ~o12 ~o13 ~o14 ~o15 ~o16 ~o17 ~o18 ~o19 ~o20 ~o21 ~o22 ~o23 ~o24 ~o25 ~o26 ~o27 ~o28}",
		want: []question{{Type: assessments.SingleChoice, Text: "Q", Options: manyOptions(28)}}},

	// Malformed input: every problem at its line and column.
	{name: "ErrNotUTF8", src: "Q1 {T}\r\n\r\nCaf\xe9 au lait? {T}", errs: []wantErr{{3, 4, "not UTF-8"}}},
	{name: "ErrNULInTitle", src: "::Ti\x00tle:: What is 2+2? {=four ~five}", errs: []wantErr{{1, 5, "control character"}}},
	{name: "ErrEscapeInAnswer", src: "What is 2+2? {=fo\x1b[31mur ~five}", errs: []wantErr{{1, 18, "control character"}}},
	{name: "ErrUnclosedBrace", src: "Q {=a ~b", errs: []wantErr{{1, 3, "not closed"}}},
	{name: "ErrBlankLineInsideAnswers", src: "Q {\n=a\n\n~b\n}", errs: []wantErr{{1, 3, "not closed"}, {5, 1, "closes no answer block"}}},
	{name: "ErrUnmatchedCloseBrace", src: "Q } or {T}", errs: []wantErr{{1, 3, "closes no answer block"}}},
	{name: "ErrCloseBraceAfterAnswers", src: "Q {T} }", errs: []wantErr{{1, 7, "closes no answer block"}}},
	{name: "ErrBraceInsideAnswers", src: "Q {=a {~b}}", errs: []wantErr{{1, 7, "inside an answer block"}}},
	{name: "ErrSecondAnswerBlock", src: "Q {T} and {F}", errs: []wantErr{{1, 11, "second one"}}},
	{name: "ErrEmptyAnswer", src: "Q {=}", errs: []wantErr{{1, 4, "empty"}}},
	{name: "ErrEmptyChoice", src: "Q {=a ~}", errs: []wantErr{{1, 7, "the answer after ~ is empty"}}},
	{name: "ErrEmptyShortAnswer", src: "Q {=a =#fb}", errs: []wantErr{{1, 7, "the answer after = is empty"}}},
	{name: "ErrNoRightAnswer", src: "Q {~a ~b}", errs: []wantErr{{1, 3, "no right answer"}}},
	{name: "ErrOneChoice", src: "Q {~%100%a}", errs: []wantErr{{1, 3, "at least two answers"}}},
	{name: "ErrNoFullSingleChoice", src: "Q {=%50%a ~b}", errs: []wantErr{{1, 3, "no answer is worth 100%"}}},
	{name: "ErrNoFullShortAnswer", src: "Q {=%50%a}", errs: []wantErr{{1, 3, "no answer is worth 100%"}}},
	{name: "ErrWeightsDoNotAddUp", src: "Q {~%50%a ~%20%b ~c}", errs: []wantErr{{1, 3, "add up to 70%"}}},
	{name: "ErrWeightNotANumber", src: "Q {=a ~%abc%b}", errs: []wantErr{{1, 9, "%abc% must be a number"}}},
	{name: "ErrWeightTooHigh", src: "Q {=a ~%150%b}", errs: []wantErr{{1, 9, "from -100 to 100"}}},
	{name: "ErrWeightTooLow", src: "Q {=a ~%-101%b}", errs: []wantErr{{1, 9, "from -100 to 100"}}},
	{name: "ErrWeightEmpty", src: "Q {=a ~%%b}", errs: []wantErr{{1, 8, "must be a number"}}},
	{name: "ErrWeightNaN", src: "Q {=a ~%NaN%b}", errs: []wantErr{{1, 9, "must be a number"}}},
	{name: "ErrSeveralInOneQuestion", src: "Q {\n=a\n~%x%b\n~%200%c\n}", errs: []wantErr{{3, 3, "%x%"}, {4, 3, "%200%"}}},
	{name: "ErrNumericNotANumber", src: "Q {#five}", errs: []wantErr{{1, 5, `"five" is not a number`}}},
	{name: "ErrNumericDecimalComma", src: "Q {#3,5}", errs: []wantErr{{1, 5, "not a number"}}},
	{name: "ErrNumericBadTolerance", src: "Q {#5:x}", errs: []wantErr{{1, 5, "value:tolerance"}}},
	{name: "ErrNumericNegativeTolerance", src: "Q {#5:-1}", errs: []wantErr{{1, 5, "must not be negative"}}},
	{name: "ErrNumericBadRange", src: "Q {#1..x}", errs: []wantErr{{1, 5, "min..max"}}},
	{name: "ErrNumericReversedRange", src: "Q {#5..1}", errs: []wantErr{{1, 5, "starts above its end"}}},
	{name: "ErrNumericEmpty", src: "Q {#}", errs: []wantErr{{1, 4, "missing after #"}}},
	{name: "ErrNumericEmptyAnswer", src: "Q {#=5 =}", errs: []wantErr{{1, 8, "a number is missing"}}},
	{name: "ErrNumericOtherwiseWithValue", src: "Q {#5 ~6}", errs: []wantErr{{1, 7, "~#feedback"}}},
	{name: "ErrNumericNoFull", src: "Q {#=%50%5}", errs: []wantErr{{1, 4, "no answer is worth 100%"}}},
	{name: "ErrNumericInfinity", src: "Q {#Inf}", errs: []wantErr{{1, 5, "not a number"}}},
	{name: "ErrMatchingWithoutArrow", src: "Match. {=a -> 1 =b -> 2 =c}", errs: []wantErr{{1, 25, "no ->"}}},
	{name: "ErrMatchingOnePair", src: "Match. {=a -> 1}", errs: []wantErr{{1, 8, "at least two pairs"}}},
	{name: "ErrMatchingOnlyDistractors", src: "Match. {=a -> 1 = -> 2 = -> 3}", errs: []wantErr{{1, 8, "at least two pairs"}}},
	{name: "ErrMatchingEmptyRight", src: "Match. {=a -> =b -> 2 =c -> 3}", errs: []wantErr{{1, 12, "nothing follows ->"}}},
	{name: "ErrMatchingFeedback", src: "Match. {=a -> 1#x =b -> 2}", errs: []wantErr{{1, 16, "no feedback"}}},
	{name: "ErrMatchingWeight", src: "Match. {=%50%a -> 1 =b -> 2}", errs: []wantErr{{1, 10, "no weight"}}},
	{name: "ErrUnknownFormat", src: "[foo]Q {T}", errs: []wantErr{{1, 1, "unknown format [foo]"}}},
	{name: "ErrUnknownFormatAfterTitle", src: "::T:: [markdwon]Q {T}", errs: []wantErr{{1, 7, "unknown format [markdwon]"}}},
	{name: "ErrUnterminatedTitle", src: "::Title Q {T}", errs: []wantErr{{1, 1, "title is not closed"}}},
	{name: "ErrUnterminatedTitleIndented", src: "  ::Title: Q {T}", errs: []wantErr{{1, 3, "title is not closed"}}},
	{name: "ErrDescription", src: "Welcome to the quiz.", errs: []wantErr{{1, 1, "needs an answer block"}}},
	{name: "ErrTitleOnly", src: "::Only a title::", errs: []wantErr{{1, 1, "needs an answer block"}}},
	{name: "ErrEscapedBracesOnly", src: `Q \{T\}`, errs: []wantErr{{1, 1, "needs an answer block"}}},
	{name: "ErrNoText", src: "{T}", errs: []wantErr{{1, 1, "no text"}}},
	{name: "ErrNoTextAfterTitle", src: "::T::[html] {=a ~b}", errs: []wantErr{{1, 13, "no text"}}},
	{name: "ErrTrueFalseTextAfter", src: "Q {T} really.", errs: []wantErr{{1, 7, "text after the answer block"}}},
	{name: "ErrEssayTextAfter", src: "Q {} more", errs: []wantErr{{1, 6, "text after the answer block"}}},
	{name: "ErrMatchingTextAfter", src: "Q {=a -> 1 =b -> 2} x", errs: []wantErr{{1, 21, "text after the answer block"}}},
	{name: "ErrMissingWordWithoutEquals", src: "Q {~%50%a ~%50%b} after", errs: []wantErr{{1, 19, "marked with ="}}},
	{name: "ErrTextBeforeFirstAnswer", src: "Q {maybe =a ~b}", errs: []wantErr{{1, 4, "text before the first answer"}}},
	{name: "ErrNotAnAnswer", src: "Q {maybe}", errs: []wantErr{{1, 4, "start with = or ~"}}},
	{name: "ErrOrderingWithEquals", src: "Q {>a =b}", errs: []wantErr{{1, 7, "with > only"}}},
	{name: "ErrOrderingOneItem", src: "Q {>a}", errs: []wantErr{{1, 3, "at least two items"}}},
	{name: "ErrOrderingEmptyItem", src: "Q {>a > >c}", errs: []wantErr{{1, 7, "the item after > is empty"}}},
	{name: "ErrOrderingWeight", src: "Q {>%50%a >b}", errs: []wantErr{{1, 5, "no weight"}}},
	{name: "ErrEveryQuestionReported", src: "A {T}\n\nB {=}\n\n// fine\nC {F}\n\nD {#x}\n\nE {F}",
		errs: []wantErr{{3, 4, "empty"}, {8, 5, "not a number"}}},
	{name: "ErrLineAfterCommentsAndCRLF", src: "// a\r\n// b\r\n\r\nQ {T}\r\n\r\nR\r\n{~a\r\n~b}", errs: []wantErr{{7, 1, "no right answer"}}},
	{name: "ErrColumnCountsCharacters", src: "Café – thé {=a ~%é%b}", errs: []wantErr{{1, 18, "%é%"}}},
	{name: "ErrColumnAfterBOM", src: "\uFEFF[foo]Q {T}", errs: []wantErr{{1, 1, "unknown format"}}},
	{name: "ErrOnlyEscapedNewline", src: `\n`, errs: []wantErr{{1, 1, "needs an answer block"}}},
}

func manyOptions(n int) []option {
	opts := make([]option, n)
	for i := range opts {
		opts[i] = option{Text: "o" + strconv.Itoa(i+1)}
	}
	opts[0].Weight = 100
	ids := "abcdefghijklmnopqrstuvwxyz"
	for i := range opts {
		if i < 26 {
			opts[i].ID = ids[i : i+1]
		} else {
			opts[i].ID = "a" + ids[i-26:i-25]
		}
	}
	return opts
}

// giftWant fills in the ids and points the cases leave out.
func giftWant(qs []question) []question {
	if qs == nil {
		return nil
	}
	out := make([]question, len(qs))
	for i, q := range qs {
		if q.ID == "" {
			q.ID = "q" + strconv.Itoa(i+1)
		}
		if q.Points == 0 {
			q.Points = 1
		}
		out[i] = q
	}
	return out
}

func TestParseGIFT(t *testing.T) {
	for _, tc := range giftCases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := assessments.ParseGIFT(tc.src)
			if len(tc.errs) > 0 {
				if got != nil {
					t.Errorf("got %d questions along with errors, want none", len(got))
				}
				if len(errs) != len(tc.errs) {
					t.Fatalf("got errors %v, want %d: %v", errs, len(tc.errs), tc.errs)
				}
				for i, w := range tc.errs {
					e := errs[i]
					if e.Line != w.line || e.Column != w.col || !strings.Contains(e.Message, w.msg) {
						t.Errorf("error %d = %v, want line %d, column %d, containing %q", i, e, w.line, w.col, w.msg)
					}
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if want := giftWant(tc.want); !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%s\nwant\n%s", giftJSON(got), giftJSON(want))
			}
		})
	}
}

func giftJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func TestParseGIFTServiceFile(t *testing.T) {
	qs := giftServiceFile(t)
	if len(qs) < 20 {
		t.Errorf("got %d questions, want 20 or more", len(qs))
	}
	seen := map[assessments.Type]int{}
	ids := map[string]bool{}
	for _, q := range qs {
		seen[q.Type]++
		if ids[q.ID] {
			t.Errorf("id %q appears twice", q.ID)
		}
		ids[q.ID] = true
		if q.Category == "" {
			t.Errorf("%s: no category", q.ID)
		}
	}
	for _, typ := range assessments.Types {
		if seen[typ] == 0 {
			t.Errorf("the file has no %s question", typ)
		}
	}
	byID := map[string]question{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	if q := byID["escapes-the-basics"]; q.Options[0].Text != "Hello {first_name}, thanks for waiting" || q.Title != "Escapes: the basics" {
		t.Errorf("escapes: got title %q, first option %q", q.Title, q.Options[0].Text)
	}
	if q := byID["recovery-paradox"]; q.Format != "markdown" || !q.Correct || q.TrueFeedback != "Right: it is called the service recovery paradox." {
		t.Errorf("recovery-paradox = %+v", q)
	}
}

func giftServiceFile(tb testing.TB) []question {
	tb.Helper()
	src, err := os.ReadFile("testdata/service.gift")
	if err != nil {
		tb.Fatal(err)
	}
	qs, errs := assessments.ParseGIFT(string(src))
	if len(errs) > 0 {
		tb.Fatalf("testdata/service.gift: %v", errs)
	}
	return qs
}

func TestGIFTRoundTrip(t *testing.T) {
	t.Run("ServiceFile", func(t *testing.T) {
		giftRoundTrip(t, giftServiceFile(t))
	})
	for _, tc := range giftCases {
		if tc.errs != nil || tc.want == nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			giftRoundTrip(t, giftWant(tc.want))
		})
	}
	// Texts that only come back because ExportGIFT escapes or protects them.
	tricky := []question{
		{ID: "arrows-and-colons", Title: "Arrows -> and :: colons", Type: assessments.ShortAnswer, Text: "a -> b", Points: 1,
			Answers: []answer{{Text: "x -> y", Weight: 100, Feedback: "->"}, {Text: "%50%", Weight: 50}}},
		{ID: "q2", Type: assessments.Matching, Text: "// starts like a comment", Points: 1,
			Pairs: []pair{{ID: "p1", Left: "a->b-", Right: "-> c"}, {ID: "p2", Left: "%d%", Right: "[html]e"}, {ID: "p3", Right: "#f"}}},
		{ID: "q3", Type: assessments.Ordering, Text: "\uFEFFbom", Points: 1,
			Options: []option{{ID: "a", Text: "> first", Feedback: "a > b"}, {ID: "b", Text: "[html]second", Feedback: "[plain]fb"}}},
		{ID: "q4", Type: assessments.TrueFalse, Text: "tf", Points: 1, TrueFeedback: "#right", GeneralFeedback: "#### gf #"},
		{ID: "q5", Type: assessments.MultipleResponse, Text: "back\\slash\\", Points: 1, Category: "Cat  with  spaces",
			Options: []option{{ID: "a", Text: "%a", Weight: 100}, {ID: "b", Text: "=~#{}:\\n", Feedback: "x\ny"}}},
		{ID: "q6", Type: assessments.SingleChoice, Text: "$CATEGORY: not one", Points: 1,
			Options: []option{{ID: "a", Text: "a", Weight: 100}, {ID: "b", Text: "b", Weight: 100}, {ID: "c", Text: "[HTML]c", Weight: 1e-5}}},
		{ID: "q7", Type: assessments.Numeric, Text: "n", Points: 1, GeneralFeedback: "g",
			Numbers: []number{{Value: -1.5e-7, Tolerance: 1e20, Weight: 100}, {IsRange: true, Min: -2, Max: 0.1, Weight: -10}, {IsRange: true, Min: -math.MaxFloat64, Max: math.MaxFloat64}}},
		{ID: "q8", Type: assessments.Numeric, Text: "n", Points: 1, GeneralFeedback: "#", Numbers: []number{{Value: 0.25, Weight: 100}}},
		{ID: "q9", Type: assessments.Essay, Text: "e", Points: 1, GeneralFeedback: "[markdown]x"},
		{ID: "q10", Type: assessments.MissingWord, TextAfter: "// after {}", Points: 1, Format: "html",
			Options: []option{{ID: "a", Text: "a", Weight: 100}, {ID: "b", Text: "b", Weight: -100}}},
	}
	t.Run("Tricky", func(t *testing.T) { giftRoundTrip(t, tricky) })
}

func giftRoundTrip(t *testing.T, qs []question) {
	t.Helper()
	out := assessments.ExportGIFT(qs)
	got, errs := assessments.ParseGIFT(out)
	if len(errs) > 0 {
		t.Fatalf("parsing the export: %v\n%s", errs, out)
	}
	if len(got) != len(qs) {
		t.Fatalf("round trip gave %d questions, want %d\nexport:\n%s", len(got), len(qs), out)
	}
	for i := range qs {
		if !reflect.DeepEqual(got[i], qs[i]) {
			t.Errorf("round trip changed question %d\nexport:\n%s\ngot\n%s\nwant\n%s", i+1, out, giftJSON(got[i]), giftJSON(qs[i]))
		}
	}
}

func TestExportGIFT(t *testing.T) {
	qs := []question{
		{ID: "greet", Title: "Greet", Category: "Service", Type: assessments.SingleChoice, Text: "First words?",
			Options: []option{{ID: "a", Text: "Hello, how can I help?", Weight: 100, Feedback: "Yes"}, {ID: "b", Text: "What?", Weight: -50}}},
		{ID: "q2", Category: "Service", Type: assessments.TrueFalse, Text: "Smile on the phone?", Correct: true, TrueFeedback: "It shows.", FalseFeedback: "It does show."},
		{ID: "q3", Type: assessments.Numeric, Text: "Rings", Numbers: []number{{Value: 3, Weight: 100}}},
		{ID: "q4", Type: assessments.Ordering, Text: "Order", Options: []option{{ID: "a", Text: "Listen"}, {ID: "b", Text: "Act"}}},
	}
	want := "$CATEGORY: Service\n\n" +
		"::Greet::First words? {\n\t=Hello, how can I help?#Yes\n\t~%-50%What?\n}\n\n" +
		"Smile on the phone? {TRUE#It does show.#It shows.}\n\n" +
		"$CATEGORY:\n\n" +
		"Rings {#3}\n\n" +
		"Order {\n\t>Listen\n\t>Act\n}\n\n"
	if got := assessments.ExportGIFT(qs); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := assessments.ExportGIFT(nil); got != "" {
		t.Errorf("ExportGIFT(nil) = %q, want empty", got)
	}
}

func TestGIFTParseError(t *testing.T) {
	e := assessments.ParseError{Line: 3, Column: 7, Message: "this { is not closed"}
	var err error = e
	if err.Error() != "line 3, column 7: this { is not closed" {
		t.Errorf("Error() = %q", err.Error())
	}
	var pe assessments.ParseError
	if !errors.As(err, &pe) || pe != e {
		t.Errorf("errors.As = %v", pe)
	}
	b, _ := json.Marshal(e)
	if string(b) != `{"line":3,"column":7,"message":"this { is not closed"}` {
		t.Errorf("JSON = %s", b)
	}
}

func BenchmarkParseGIFT(b *testing.B) {
	src, err := os.ReadFile("testdata/service.gift")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, errs := assessments.ParseGIFT(string(src)); errs != nil {
			b.Fatal(errs)
		}
	}
}
